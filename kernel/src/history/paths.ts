/**
 * Where seqlab keeps data: `$SEQLAB_DATA_DIR`, else `<Jupyter data dir>/seqlab`, where the
 * Jupyter data dir is found as jupyter_core finds it ($JUPYTER_DATA_DIR, else
 * $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter; macOS ~/Library/Jupyter).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The user's Jupyter data dir, as `jupyter --data-dir` prints it. */
export function jupyterUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['JUPYTER_DATA_DIR']) return env['JUPYTER_DATA_DIR'];
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return join(env['APPDATA'] ?? homedir(), 'jupyter');
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.local', 'share'), 'jupyter');
}

/** seqlab's own data dir (history lives here). */
export function seqlabDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['SEQLAB_DATA_DIR'] ?? join(jupyterUserDataDir(env), 'seqlab');
}
