/**
 * Which names a cell has in scope without imports: the kernel's helpers and every export of
 * `@seqlab/engine`. Both the execution worker (values) and the language service (types) use
 * this one rule, so what completion offers is what exists.
 */

/** Globals the kernel defines for cells; they win over engine exports of the same name. */
export const KERNEL_GLOBALS = ['display', 'clearOutput', 'input', 'prompt', 'progress', 'comms', 'require'] as const;

/**
 * Splits the engine's export names into those placed in scope and those shadowed by a
 * kernel helper or a built-in global of this realm (e.g. an export named `Symbol`).
 */
export function engineGlobalNames(exportNames: readonly string[]): { installed: string[]; shadowed: string[] } {
  const installed: string[] = [];
  const shadowed: string[] = [];
  const kernel = new Set<string>(KERNEL_GLOBALS);
  for (const name of exportNames) {
    if (name === 'default' || name === '__esModule') continue;
    if (kernel.has(name) || name in globalThis) shadowed.push(name);
    else installed.push(name);
  }
  return { installed, shadowed };
}
