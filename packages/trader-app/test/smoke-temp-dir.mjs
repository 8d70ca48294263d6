/**
 * The dist smokes' scratch dir: a fresh temp dir, removed when the smoke passes and kept
 * when it fails (its run dirs and logs help find why).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function smokeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', (code) => {
    if (code === 0) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
