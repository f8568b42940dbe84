/**
 * The anchor module for imports made by cells: `import()` from here is recognised by the
 * loader hooks (loader-hooks.ts), which resolve its specifiers from the notebook's directory.
 */
export function importFromCell(specifier: string, options?: ImportCallOptions): Promise<Record<string, unknown>> {
  return (options ? import(specifier, options) : import(specifier)) as Promise<Record<string, unknown>>;
}
