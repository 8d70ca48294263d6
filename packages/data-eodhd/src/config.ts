/**
 * Options of `createEodhdClient`, validated with zod; defaults live here. Errors
 * name the field and never echo the token.
 */
import { z } from 'zod';
import { EodhdError } from './errors.js';
import type { EodhdLogger } from './logger.js';

/** EODHD's API root. */
export const DEFAULT_BASE_URL = 'https://eodhd.com/api';

const fn = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'function', { message: `${what} must be a function` });

export const clientOptionsSchema = z
  .object({
    /** EODHD API token; sent as `api_token`, never logged, never in a cache file name. */
    apiToken: z
      .string({ message: 'apiToken must be a non-empty string' })
      .min(1, 'apiToken must be a non-empty string'),
    /** API root. @default 'https://eodhd.com/api' */
    baseUrl: z.url({ message: 'baseUrl must be an absolute http(s) URL' }).default(DEFAULT_BASE_URL),
    /** A `fetch` implementation (tests, proxies). @default globalThis.fetch */
    fetch: fn<typeof globalThis.fetch>('fetch').optional(),
    /** Per-request timeout in ms. @default 30000 */
    timeoutMs: z.number().int().positive().max(2_147_483_647).default(30_000),
    retry: z
      .object({
        /** Retries after the first try. @default 3 */
        limit: z.number().int().min(0).max(20).default(3),
        /** First backoff (doubles per retry). @default 500 */
        backoffMs: z.number().min(0).default(500),
        /** Cap of one backoff. @default 30000 */
        maxBackoffMs: z.number().min(0).default(30_000),
        /** Longest `Retry-After` to wait for; longer fails with RATE_LIMITED. @default 120000 */
        maxRetryAfterMs: z.number().min(0).default(120_000),
      })
      .strict()
      .prefault({}),
    rateLimit: z
      .object({
        /** Request starts allowed in any 60 s window (EODHD allows 1,000). @default 1000 */
        requestsPerMinute: z.number().int().positive().default(1000),
      })
      .strict()
      .prefault({}),
    /** On-disk cache; off when absent. */
    cache: z
      .object({
        /** Folder for cache files (created when needed). */
        dir: z.string().min(1),
        /**
         * Which provider the cached data is from; entries of different namespaces never
         * mix. Set it when two base URLs serve the same data (a mirror, a proxy).
         * @default the base URL's host and path without scheme or port ('eodhd.com/api')
         */
        namespace: z.string().min(1).optional(),
        /**
         * How long after a window's end before it counts as final (EODHD finalises
         * intraday data 2–3 h after the session). A window that touches today (UTC)
         * is never final. @default 21600000 (6 h)
         */
        settleMs: z
          .number()
          .min(0)
          .default(6 * 3_600_000),
      })
      .strict()
      .optional(),
    /** Where log lines go (any object with debug/info/warn/error). @default none */
    logger: z
      .custom<EodhdLogger>((v) => v !== null && typeof v === 'object', {
        message: 'logger must be an object',
      })
      .optional(),
    /** Clock for cache expiry (tests). @default Date.now */
    now: fn<() => number>('now').optional(),
  })
  .strict();

/** What callers pass to `createEodhdClient`. */
export type EodhdClientOptions = z.input<typeof clientOptionsSchema>;
/** Options after defaults. */
export type EodhdClientConfig = z.output<typeof clientOptionsSchema>;

/**
 * Validates client options, or throws `EodhdError('CONFIG')` naming the field.
 *
 * @example
 * parseClientOptions({ apiToken: 'abc', retry: { limit: 1 } }).retry.backoffMs; // 500
 */
export function parseClientOptions(options: EodhdClientOptions): EodhdClientConfig {
  const parsed = clientOptionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'options';
  throw new EodhdError(
    'CONFIG',
    `createEodhdClient: invalid ${field}: ${issue?.message ?? 'invalid options'}`,
    {
      field,
    },
  );
}
