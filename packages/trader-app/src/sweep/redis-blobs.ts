/**
 * Content-addressed blobs in Redis: the sweep coordinator puts each job's config and data
 * under `marlts:blob:<sha256>` before it queues the jobs, and workers fetch them by hash.
 * So a worker needs no copy of the data or the config beforehand, and a blob shared by
 * many jobs (the data) crosses the network once per worker (see blob-cache.ts).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../app-error.js';
import type { BlobSource } from './job.js';

/** How long an unused blob stays in Redis: long enough for any sweep to resume, bounded so old ones go. */
export const BLOB_TTL_SECONDS = 14 * 24 * 3600;

/**
 * The Redis key of a blob.
 *
 * @example
 * blobKey('ab12…'); // 'marlts:blob:ab12…'
 */
export function blobKey(hash: string): string {
  return `marlts:blob:${hash}`;
}

/**
 * The sha256 hex digest of `bytes`.
 *
 * @example
 * sha256Hex(new TextEncoder().encode('x'));
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Throws a DATA error unless `bytes` hash to `hash` (a corrupted or mislabelled blob must
 * never be trained on).
 *
 * @example
 * verifyBlob(hash, bytes, 'Redis');
 */
export function verifyBlob(hash: string, bytes: Uint8Array, where: string): void {
  const got = sha256Hex(bytes);
  if (got !== hash) {
    throw new AppError('DATA', `blob ${hash} from ${where} hashes to ${got}: it is corrupted`, {
      hint: `delete it (${where}) and rerun the sweep, which puts every blob again`,
    });
  }
}

/**
 * Puts blobs into Redis (SET NX: a blob already there is the same bytes by construction)
 * and renews every blob's expiry, checking each hash first. Resolves once all are stored.
 *
 * @example
 * await putBlobs(redis, [{ hash: sha256Hex(bytes), bytes }]);
 */
export async function putBlobs(
  redis: Redis,
  blobs: readonly { hash: string; bytes: Uint8Array }[],
  ttlSeconds = BLOB_TTL_SECONDS,
): Promise<void> {
  const pipeline = redis.pipeline();
  for (const b of blobs) {
    verifyBlob(b.hash, b.bytes, 'the sweep coordinator');
    pipeline.set(blobKey(b.hash), Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength), 'NX');
    pipeline.expire(blobKey(b.hash), ttlSeconds);
  }
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err !== null);
  if (failed?.[0]) throw failed[0];
}

/**
 * A {@link BlobSource} reading blobs from Redis, each verified by its hash.
 *
 * @example
 * const bytes = await new RedisBlobSource(redis).get(hash);
 */
export class RedisBlobSource implements BlobSource {
  constructor(
    private readonly redis: Redis,
    private readonly where = 'the sweep queue',
  ) {}

  async get(hash: string): Promise<Uint8Array> {
    const buf = await this.redis.getBuffer(blobKey(hash));
    if (buf === null) {
      throw new AppError('NOT_FOUND', `blob ${hash} is not in ${this.where} (key ${blobKey(hash)})`, {
        hint: 'the coordinator puts every blob before it queues the jobs; rerun `marlts sweep` to put them again (Redis was flushed or the blob expired)',
      });
    }
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    verifyBlob(hash, bytes, `Redis key ${blobKey(hash)}`);
    return bytes;
  }
}
