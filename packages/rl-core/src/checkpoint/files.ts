/**
 * Checkpoint files. They are written atomically (temp file, fsync, rename), so a crash
 * mid-write leaves the previous file intact. `node:fs` is reached only when called, through
 * `process.getBuiltinModule` (no `import` a bundler would try to resolve), so rl-core bundles
 * for browsers; there these throw `RlError('UNSUPPORTED')`.
 */
import { RlError } from '../errors.js';
import { nodeBuiltin } from '../kernels/node-builtin.js';
import { type CheckpointBundle, validateCheckpoint } from './bundle.js';

type Fs = typeof import('node:fs/promises');

/** `node:fs/promises` (Node, Deno, Bun), or `RlError('UNSUPPORTED')` where there is no file system. */
function fileSystem(caller: string): Fs {
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  if (fs) return fs;
  throw new RlError(
    'UNSUPPORTED',
    `${caller} needs a file system (Node ≥ 20.16, Deno or Bun) and this runtime has none (a browser?). ` +
      'Keep the bundle yourself instead: model.save() returns plain JSON to store anywhere ' +
      '(IndexedDB, a download, a server), and Ppo.load/Sac.load take it back.',
    { field: 'path' },
  );
}

/**
 * Writes a bundle as JSON atomically: a temp file in the same folder, fsync, rename.
 * The bundle is validated first, so an invalid bundle never reaches the disk. Where there
 * is no file system (a browser) it rejects with `RlError('UNSUPPORTED')`.
 *
 * @example
 * await saveCheckpointFile('runs/ppo.json', ppo.save());
 */
export async function saveCheckpointFile(path: string, bundle: CheckpointBundle): Promise<void> {
  validateCheckpoint(bundle);
  const fs = fileSystem('saveCheckpointFile');
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify(bundle));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (cause) {
    await fs.rm(tmp, { force: true });
    throw cause;
  }
}

/**
 * Reads and validates a bundle written by {@link saveCheckpointFile} (checksum included);
 * `RlError('UNSUPPORTED')` where there is no file system (a browser).
 * @example
 * const ppo = Ppo.load(await loadCheckpointFile('runs/ppo.json'), { env });
 */
export async function loadCheckpointFile(path: string): Promise<CheckpointBundle> {
  const fs = fileSystem('loadCheckpointFile');
  const text = await fs.readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RlError('CHECKPOINT', `checkpoint file ${path} is not valid JSON`, { field: 'file', cause });
  }
  return validateCheckpoint(json);
}
