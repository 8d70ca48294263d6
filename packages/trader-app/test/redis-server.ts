/**
 * A real Redis for the queue tests: `MARLTS_TEST_REDIS_URL` when set (CI's `.ci/run`
 * starts one), else a `redis-server` this helper spawns on a free loopback port with no
 * persistence and stops afterwards. Without redis-server the tests are skipped off CI and
 * FAIL under CI (`CI` set), so a CI machine missing it cannot pass by skipping.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A Redis the tests may use (and flush: each test uses its own key space by queue name).
 *
 * @example
 * const r = await startTestRedis(1); try { … r.url … } finally { await r.stop(); }
 */
export interface TestRedis {
  url: string;
  /** Stops the server if this helper started it. */
  stop(): Promise<void>;
}

/**
 * Why the Redis tests cannot run here, or undefined when they can. Under CI a missing
 * redis-server is an error the caller must fail with, not a reason to skip.
 *
 * @example
 * const why = redisUnavailable(); if (why && process.env.CI) throw new Error(why);
 */
export function redisUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MARLTS_TEST_REDIS_URL) return undefined;
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return 'redis-server is not installed: install it (`apt-get install redis-server`) or set MARLTS_TEST_REDIS_URL=redis://HOST:PORT';
  }
  return undefined;
}

/**
 * Whether to skip the Redis tests: true off CI when Redis is unavailable; under CI a
 * missing Redis throws, so the test file fails with the reason.
 *
 * @example
 * describe.skipIf(skipRedisTests())('queue', () => { … });
 */
export function skipRedisTests(env: NodeJS.ProcessEnv = process.env): boolean {
  const why = redisUnavailable(env);
  if (why === undefined) return false;
  if (env.CI) throw new Error(`the queue tests need Redis under CI: ${why}`);
  console.warn(`skipping the queue tests: ${why}`);
  return true;
}

/**
 * A TCP port nobody listens on right now (the OS picks it).
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `url` with its database number set to `db`. */
function withDb(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * The Redis to test against: `MARLTS_TEST_REDIS_URL`, or a fresh `redis-server` on a free
 * loopback port (ready when it answers; always, with `own`, for a test that stops it).
 * Call {@link skipRedisTests} first. Each test file
 * takes its own database number `db`, because test files run in parallel and the sweep
 * queue's name is fixed: two files on one database would take each other's jobs.
 *
 * @example
 * const redis = await startTestRedis(3);
 */
export async function startTestRedis(
  db: number,
  env: NodeJS.ProcessEnv = process.env,
  o: { own?: boolean } = {},
): Promise<TestRedis> {
  if (env.MARLTS_TEST_REDIS_URL && !o.own) {
    return { url: withDb(env.MARLTS_TEST_REDIS_URL, db), stop: async () => {} };
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    const check = () => {
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(true);
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        resolve(false);
      } else setTimeout(check, 50);
    };
    check();
  });
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not start:\n${log}`);
  }
  return {
    url: withDb(`redis://127.0.0.1:${port}`, db),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
