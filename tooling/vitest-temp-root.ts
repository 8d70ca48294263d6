/**
 * Vitest global setup: every temp dir a test makes (`mkdtempSync(join(tmpdir(), …))`, the
 * CLI runs it spawns) lands under one per-run root, removed when the run ends, so test runs
 * do not leave hundreds of `marlts-*` dirs in the machine's /tmp. `os.tmpdir()` reads TMPDIR
 * on every call, and test workers and their child processes inherit it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'marlts-test-'));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
