/**
 * Checks of the file paths an operator passes (`--data`, `data import FILE`,
 * `--out`), done where the CLI first sees them: a directory where a file belongs
 * becomes one clear AppError naming the flag and the fix, instead of Node's EISDIR
 * (which names neither the flag nor the path) deep inside a reader or writer.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from './app-error.js';

/**
 * Throws AppError('USAGE') when `path` is a directory; the hint lists the CSV files in
 * it (the usual mistake is passing the folder instead of one of them). A path that does
 * not exist is left to the reader, which says so in its own words.
 *
 * @example
 * assertNotDirectory('/data/bars', '--data', '.csv'); // throws: --data /data/bars is a directory …
 */
export function assertNotDirectory(path: string, flag: string, ext?: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return;
  let hint = `pass a file, e.g. ${flag} ${join(path, `<name>${ext ?? ''}`)}`;
  if (ext !== undefined) {
    let files: string[] = [];
    try {
      files = readdirSync(path)
        .filter((f) => f.toLowerCase().endsWith(ext))
        .sort();
    } catch {
      // Unreadable directory: the generic hint stays.
    }
    if (files.length > 0) {
      const shown = files.slice(0, 5).map((f) => join(path, f));
      hint = `${ext.slice(1).toUpperCase()} files there: ${shown.join(', ')}${files.length > 5 ? `, … (${files.length} in all)` : ''}`;
    } else {
      hint = `it holds no ${ext} file; ${hint}`;
    }
  }
  throw new AppError('USAGE', `${flag} ${path} is a directory, not a file`, { hint, field: flag });
}
