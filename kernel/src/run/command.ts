/** `seqlab run` (see run/notebook.ts). */
export async function runCommand(_argv: string[]): Promise<number> {
  throw new Error('seqlab run: not built yet');
}
