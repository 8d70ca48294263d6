/**
 * A worker's local blob cache: a blob fetched once (from Redis) is kept on disk under
 * `<dir>/blobs/<sha256>`, so later jobs of the same sweep — and later sweeps on the same
 * data — read it locally. Every read is checked against its hash, on disk too: a file
 * damaged on disk is fetched again instead of being trained on.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../app-error.js';
import type { BlobSource } from './job.js';
import { sha256Hex } from './redis-blobs.js';

/**
 * The default cache directory: `$XDG_CACHE_HOME/marlts`, else `~/.cache/marlts`, else
 * `<os temp>/marlts-cache` when there is no home directory.
 *
 * @example
 * defaultCacheDir(process.env); // '/home/me/.cache/marlts'
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'marlts');
  const home = homedir();
  return home ? join(home, '.cache', 'marlts') : join(tmpdir(), 'marlts-cache');
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * A {@link BlobSource} that serves blobs from a disk cache and fetches the missing ones
 * from `source` once (concurrent requests for the same blob share one fetch).
 *
 * @example
 * const blobs = new DiskBlobCache(new RedisBlobSource(redis), defaultCacheDir());
 * const data = await blobs.get(spec.dataHash);
 */
export class DiskBlobCache implements BlobSource {
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();
  /** Blobs fetched from the source (not found on disk) since this cache was made. */
  fetched = 0;

  constructor(
    private readonly source: BlobSource,
    readonly dir: string,
  ) {}

  get(hash: string): Promise<Uint8Array> {
    if (!HASH.test(hash)) {
      return Promise.reject(new AppError('DATA', `"${hash}" is not a sha256 blob hash`));
    }
    let p = this.inFlight.get(hash);
    if (!p) {
      p = this.load(hash).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, p);
    }
    return p;
  }

  private async load(hash: string): Promise<Uint8Array> {
    const file = join(this.dir, 'blobs', hash);
    const cached = await readFile(file).catch(() => undefined);
    if (cached && sha256Hex(cached) === hash) return cached;
    if (cached) await rm(file, { force: true }); // damaged on disk: fetch it again
    const bytes = await this.source.get(hash);
    this.fetched++;
    try {
      await mkdir(join(this.dir, 'blobs'), { recursive: true });
      // Write then rename, so a reader (another worker on this machine) never sees half a blob.
      // A random name: two caches (workers) on one directory may write the same blob at once.
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    } catch (e) {
      throw new AppError('STORE', `cannot write the blob cache ${file}: ${(e as Error).message}`, {
        field: '--cache-dir',
        hint: 'give the worker a writable --cache-dir',
        cause: e,
      });
    }
    return bytes;
  }
}
