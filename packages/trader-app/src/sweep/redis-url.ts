/**
 * The Redis side of `--queue redis://HOST:PORT`: the URL check (a usage error naming the
 * flag), and connections that fail fast and clearly. ioredis retries a lost connection
 * forever by default; a sweep coordinator or worker staring at a dead Redis must instead
 * stop within seconds with an error that names the URL (credentials masked) and the fix.
 */
import { Redis } from 'ioredis';
import { AppError } from '../app-error.js';
import { redactUrlSecrets } from '../redact-url.js';

/**
 * A checked `redis://` (or `rediss://`, TLS) URL and its printable form.
 *
 * @example
 * const u: RedisUrl = parseRedisUrl('redis://127.0.0.1:6379', '--queue');
 */
export interface RedisUrl {
  /** The URL as given (credentials included): what ioredis connects with. */
  url: string;
  /** The URL with its password masked: what messages print. */
  display: string;
}

/**
 * Checks a `--queue` value: `redis://[user:password@]HOST[:PORT][/DB]` or `rediss://…`.
 * Anything else is a usage error naming `flag`.
 *
 * @example
 * parseRedisUrl('redis://127.0.0.1:6390', '--queue'); // { url: 'redis://127.0.0.1:6390', display: … }
 * parseRedisUrl('http://x', '--queue'); // throws AppError USAGE
 */
export function parseRedisUrl(url: string, flag = '--queue'): RedisUrl {
  const display = redactUrlSecrets(url);
  const usage = (why: string) =>
    new AppError('USAGE', `${flag}: ${why}, got "${display}"`, {
      field: flag,
      hint: `give the Redis (or Valkey) server as ${flag} redis://HOST:PORT, e.g. ${flag} redis://127.0.0.1:6379`,
    });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage('not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw usage('the queue must be a redis:// or rediss:// URL');
  if (parsed.hostname === '') throw usage('the URL names no host');
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw usage('the path must be a database number (redis://HOST:PORT/0)');
  return { url, display };
}

/**
 * The error for a Redis that cannot be reached: names the URL (masked), what was tried,
 * and the fix.
 *
 * @example
 * throw redisUnreachable(parseRedisUrl('redis://127.0.0.1:9'), 'connect ECONNREFUSED');
 */
export function redisUnreachable(u: RedisUrl, why: string, cause?: unknown): AppError {
  return new AppError('QUEUE_UNREACHABLE', `cannot reach the sweep queue's Redis at ${u.display}: ${why}`, {
    field: '--queue',
    hint:
      'start Redis (e.g. `redis-server --port 6379`) or point --queue at a running one; ' +
      "a sweep's finished jobs are in its run store, and `marlts sweep … --resume RUN_ID` continues it",
    cause,
  });
}

/**
 * Options of {@link connectRedis}.
 *
 * @example
 * const o: ConnectOptions = { connectTimeoutMs: 3000, giveUpAfterMs: 10_000 };
 */
export interface ConnectOptions {
  /** How long the first connection may take (default 3 s). */
  connectTimeoutMs?: number;
  /** How long a lost connection is retried before the client gives up (default 15 s). */
  giveUpAfterMs?: number;
  /** Told once when the client gives up after a lost connection. */
  onGiveUp?: (error: AppError) => void;
  /** A name shown by `CLIENT LIST` (helps an operator tell coordinators from workers). */
  name?: string;
}

/**
 * Connects to Redis and checks it answers (PING), or throws the {@link redisUnreachable}
 * error within `connectTimeoutMs`. The client suits BullMQ (no per-command retry limit,
 * which BullMQ's blocking calls need); a connection lost later is retried with backoff
 * for `giveUpAfterMs`, then the client closes and `onGiveUp` is told, so nothing waits on
 * a dead Redis forever.
 *
 * @example
 * const redis = await connectRedis(parseRedisUrl('redis://127.0.0.1:6379'), { onGiveUp: (e) => abort(e) });
 */
export async function connectRedis(u: RedisUrl, o: ConnectOptions = {}): Promise<Redis> {
  const connectTimeoutMs = o.connectTimeoutMs ?? 3000;
  const giveUpAfterMs = o.giveUpAfterMs ?? 15_000;
  let connected = false;
  let lostAt: number | undefined;
  let lastError = 'no answer';
  let gaveUp = false;
  const redis = new Redis(u.url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: null,
    connectionName: o.name,
    // Before the first connection: no retry (the caller gets the error at once). After a
    // loss: back off up to 2 s between tries until giveUpAfterMs, then stop.
    retryStrategy: (times) => {
      if (!connected) return null;
      lostAt ??= Date.now();
      if (Date.now() - lostAt > giveUpAfterMs) {
        if (!gaveUp) {
          gaveUp = true;
          o.onGiveUp?.(
            redisUnreachable(
              u,
              `connection lost and not back after ${Math.round(giveUpAfterMs / 1000)} s (${lastError})`,
            ),
          );
        }
        return null;
      }
      return Math.min(200 * times, 2000);
    },
  });
  redis.on('error', (e: Error) => {
    lastError = e.message;
  });
  redis.on('ready', () => {
    lostAt = undefined;
  });
  try {
    await withTimeout(redis.connect(), connectTimeoutMs + 500, 'connection timed out');
    await withTimeout(redis.ping(), connectTimeoutMs, 'PING got no answer');
  } catch (e) {
    redis.disconnect();
    // ioredis's own rejection says only "Connection is closed"; the socket's error says why.
    const why = lastError !== 'no answer' ? lastError : e instanceof Error ? e.message : String(e);
    throw redisUnreachable(u, redactUrlSecrets(why), e);
  }
  connected = true;
  return redis;
}

function withTimeout<T>(p: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(why)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
