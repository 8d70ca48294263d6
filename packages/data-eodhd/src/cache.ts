/**
 * On-disk response cache, content-addressed: an entry's file name is the SHA-256 of
 * the canonical request (namespace, path, sorted query — never the token). The namespace
 * says which provider the data is from (default: the base URL's host and path without
 * scheme or port, see {@link cacheNamespaceOf}), so the same provider on another port (a
 * test server in another process) hits the same entries and two providers never mix. An entry
 * holds that request, when it was fetched, whether its window was closed, and the
 * decoded body (re-validated with zod on read, so a stale or corrupt file is just a
 * miss). Intraday series also keep an index of their cached closed windows, so a
 * longer request later fetches only what is missing. Writes are atomic (temp file +
 * rename), so a crash never leaves half a file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SafeLogger } from './logger.js';
import type { Window } from './windows.js';

// 2: keyed on the namespace instead of the full base URL (port included).
const VERSION = 2;

/**
 * The default cache namespace of a base URL: host and path, without scheme, port,
 * credentials, query or trailing slash.
 *
 * @example
 * cacheNamespaceOf('https://eodhd.com/api'); // 'eodhd.com/api'
 * cacheNamespaceOf('http://127.0.0.1:41234/api/'); // '127.0.0.1/api'
 */
export function cacheNamespaceOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.hostname}${url.pathname.replace(/\/+$/, '')}`;
}

/** A request as the cache sees it: no token, no `fmt`. */
export interface CanonicalRequest {
  /** Which provider the data is from (`cache.namespace`, default {@link cacheNamespaceOf}). */
  namespace: string;
  path: string;
  query: Record<string, string>;
}

/** One cached response. */
export interface CacheEntry {
  version: number;
  request: CanonicalRequest;
  /** ISO time of the fetch. */
  fetchedAt: string;
  /** True when the requested range ended before "today" (the data can no longer change). */
  closed: boolean;
  body: unknown;
}

/** A cached closed intraday window and the entry that holds it. */
export interface IndexedWindow extends Window {
  key: string;
}

/** SHA-256 hex of the canonical JSON of `value` (object keys sorted). */
export function contentKey(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The file cache. All methods swallow I/O errors on read (a miss) and log them on
 * write (the data is still returned to the caller).
 *
 * @example
 * const cache = new DiskCache('/tmp/eodhd-cache', logger);
 * const key = cache.keyOf({ namespace: 'eodhd.com/api', path: 'eod/AAPL.US', query: { from: '2020-01-01' } });
 */
export class DiskCache {
  readonly dir: string;
  private readonly logger: SafeLogger;

  constructor(dir: string, logger: SafeLogger) {
    this.dir = dir;
    this.logger = logger;
  }

  /** The entry key (file name without `.json`) of a request. */
  keyOf(request: CanonicalRequest): string {
    return contentKey({ kind: 'response', v: VERSION, ...request });
  }

  /** The key of a series index (one per namespace, symbol and interval). */
  indexKeyOf(series: { namespace: string; symbol: string; interval: string }): string {
    return contentKey({ kind: 'intraday-index', v: VERSION, ...series });
  }

  /** Reads an entry, or `undefined` when absent or unreadable. */
  async get(key: string): Promise<CacheEntry | undefined> {
    const value = await this.readJson(key);
    if (value === null || typeof value !== 'object') return undefined;
    const entry = value as Partial<CacheEntry>;
    if (entry.version !== VERSION || entry.body === undefined || typeof entry.closed !== 'boolean')
      return undefined;
    return entry as CacheEntry;
  }

  /** Writes an entry atomically. */
  async put(key: string, entry: Omit<CacheEntry, 'version'>): Promise<void> {
    await this.writeJson(key, { version: VERSION, ...entry });
  }

  /** Drops an entry (used when a cached body no longer validates). */
  async delete(key: string): Promise<void> {
    await rm(join(this.dir, `${key}.json`), { force: true }).catch(() => undefined);
  }

  /** The closed windows recorded for a series. */
  async readIndex(indexKey: string): Promise<IndexedWindow[]> {
    const value = (await this.readJson(indexKey)) as { version?: number; windows?: unknown } | undefined;
    if (!value || value.version !== VERSION || !Array.isArray(value.windows)) return [];
    return value.windows.filter(
      (w): w is IndexedWindow =>
        w !== null &&
        typeof w === 'object' &&
        Number.isInteger((w as IndexedWindow).from) &&
        Number.isInteger((w as IndexedWindow).to) &&
        typeof (w as IndexedWindow).key === 'string',
    );
  }

  /** Adds windows to a series index (read-modify-write; a lost race only costs a refetch). */
  async addToIndex(
    indexKey: string,
    series: Record<string, string>,
    windows: IndexedWindow[],
  ): Promise<void> {
    const current = await this.readIndex(indexKey);
    const keys = new Set(current.map((w) => w.key));
    const merged = [...current, ...windows.filter((w) => !keys.has(w.key))].sort((a, b) => a.from - b.from);
    await this.writeJson(indexKey, { version: VERSION, series, windows: merged });
  }

  private async readJson(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8'));
    } catch {
      return undefined;
    }
  }

  private async writeJson(key: string, value: unknown): Promise<void> {
    const file = join(this.dir, `${key}.json`);
    const temp = join(this.dir, `.${key}.${randomUUID()}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(temp, JSON.stringify(value));
      await rename(temp, file);
    } catch (cause) {
      await rm(temp, { force: true }).catch(() => undefined);
      this.logger.warn('eodhd: cache write failed', { file, error: String(cause) });
    }
  }
}
