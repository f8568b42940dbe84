/**
 * The command line of `seqlab run`, `export`, `lite` and `serve`, parsed one way: `--help`/`-h`
 * prints the command's help (exit 0); an unknown option, a missing notebook or a missing
 * `--out` prints `seqlab COMMAND: what is wrong` and the usage line (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What `parseArgs` gives for these options, with positionals allowed. */
export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');

export interface CommandSpec<O extends Options> {
  /** the command's name after `seqlab` */
  command: string;
  options: O;
  /** the line (or pointer to `--help`) printed after a usage error */
  usage: string;
  /** the text `--help` prints */
  help: string;
  /** `notebooks`: at least one positional (a notebook); `folder`: exactly one (a folder) */
  positionals?: 'notebooks' | 'folder';
  /** `--out DIR` must be given (and not blank) */
  requireOut?: boolean;
}

/** Writes `seqlab COMMAND: message` and the usage line to stderr; returns the usage exit code 2. */
export function usageError(spec: Pick<CommandSpec<Options>, 'command' | 'usage'>, message: string): number {
  process.stderr.write(`seqlab ${spec.command}: ${message}\n${spec.usage}\n`);
  return 2;
}

/**
 * Parses `argv` for a command: the parsed values and positionals, or the exit code when the
 * command is done (0 after `--help`, 2 after a usage error, already reported).
 *
 * @example
 * const parsed = parseCommand(argv, { command: 'lite', options: { out: { type: 'string' } }, usage, help, positionals: 'notebooks', requireOut: true });
 * if (typeof parsed === 'number') return parsed;
 */
export function parseCommand<O extends Options>(argv: string[], spec: CommandSpec<O>): Parsed<O> | number {
  if (wantsHelp(argv)) {
    process.stdout.write(spec.help);
    return 0;
  }
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true, strict: true });
  } catch (e) {
    return usageError(spec, (e as Error).message);
  }
  const count = parsed.positionals.length;
  if (spec.positionals === 'notebooks' && count === 0) return usageError(spec, 'give at least one notebook');
  if (spec.positionals === 'folder' && count !== 1) return usageError(spec, 'give one folder');
  const out = (parsed.values as Record<string, unknown>)['out'];
  if (spec.requireOut && (typeof out !== 'string' || out.trim() === '')) {
    return usageError(spec, '--out DIR is required (the folder the site is written to)');
  }
  return parsed;
}
