/**
 * `marlts worker --queue redis://HOST:PORT`: takes sweep jobs from the BullMQ queue that
 * `marlts sweep --queue` fills, on any machine that reaches the Redis. It needs no copy
 * of the data or the config: each job names its blobs by hash, fetched once and cached
 * under `--cache-dir`. `--concurrency N` runs N worker processes (a job's training is one
 * JavaScript thread, so parallel jobs need processes), each with cores / N kernel threads.
 * Ctrl-C or SIGTERM: running jobs go back to the queue for another worker, then it exits.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../app-error.js';
import type { CommandContext } from '../context.js';
import { defaultCacheDir } from '../sweep/blob-cache.js';
import { parseRedisUrl } from '../sweep/redis-url.js';
import type { WorkerEvent } from '../sweep/redis-worker.js';
import type { CommandWiring } from './command.js';
import { intFlag, numFlag } from './flags.js';

/**
 * Registers `marlts worker`.
 *
 * @example
 * registerWorkerCommand(program, wiring);
 */
export function registerWorkerCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    program
      .command('worker')
      .description(
        'take sweep jobs from a BullMQ queue (filled by `marlts sweep --queue`) and return their results; run it on as many machines as you like',
      )
      .requiredOption('--queue <url>', 'the Redis (or Valkey) holding the queue, redis://HOST:PORT')
      .option(
        '--concurrency <n>',
        'jobs at once: worker processes on this machine (default: 1)',
        intFlag('--concurrency', { min: 1, max: 256 }),
      )
      .option(
        '--threads <n>',
        'rl-core kernel threads per job (default: cores / concurrency)',
        intFlag('--threads', { min: 1, max: 64 }),
      )
      .option('--cache-dir <dir>', `where fetched blobs are kept (default: ${defaultCacheDir()})`)
      .option(
        '--stall-seconds <s>',
        "a dead worker's job goes to another worker after this many seconds (default: 30)",
        numFlag('--stall-seconds', { min: 1, max: 3600 }),
      )
      .addHelpText(
        'after',
        '\nExample:\n  redis-server --port 6379 &\n  marlts worker --queue redis://127.0.0.1:6379 --concurrency 4   # on each machine\n  marlts sweep --grid grid.json --queue redis://127.0.0.1:6379     # anywhere',
      ),
    { runDir: false },
  ).action(action(runWorkerCommand));
}

function describe(e: WorkerEvent): string {
  const job = (id: string, label: string) => `${label} (job ${id.slice(0, 12)})`;
  switch (e.kind) {
    case 'ready':
      return `worker ${e.worker}: waiting for jobs`;
    case 'start':
      return `started ${job(e.jobId, e.label)}${e.attempt > 1 ? `, attempt ${e.attempt}` : ''}`;
    case 'done':
      return `done ${job(e.jobId, e.label)} in ${e.seconds} s`;
    case 'failed':
      return `FAILED ${job(e.jobId, e.label)}: ${e.reason}`;
    case 'released':
      return `put ${job(e.jobId, e.label)} back in the queue for another worker`;
    case 'error':
      return `queue error: ${e.message}`;
  }
}

/**
 * Runs `marlts worker` with its parsed flags.
 *
 * @example
 * await runWorkerCommand(ctx, { queue: 'redis://127.0.0.1:6379' });
 */
export async function runWorkerCommand(ctx: CommandContext, opts: Record<string, unknown>): Promise<number> {
  const u = parseRedisUrl(String(opts.queue), '--queue');
  const concurrency = typeof opts.concurrency === 'number' ? opts.concurrency : 1;
  const threads =
    typeof opts.threads === 'number'
      ? opts.threads
      : Math.max(1, Math.floor(availableParallelism() / concurrency));
  const cacheDir = typeof opts.cacheDir === 'string' ? resolve(opts.cacheDir) : defaultCacheDir();
  const stallSeconds = typeof opts.stallSeconds === 'number' ? opts.stallSeconds : 30;
  if (concurrency > 1) return runChildren(ctx, { url: u.url, concurrency, threads, cacheDir, stallSeconds });
  ctx.info(`worker on ${u.display}: ${threads} kernel thread(s), blob cache ${cacheDir}`);
  // A dynamic import, as for `sweep --queue`: every other command starts without loading BullMQ.
  const { runSweepWorker } = await import('../sweep/redis-worker.js');
  const summary = await runSweepWorker({
    url: u.url,
    cacheDir,
    threads,
    stallSeconds,
    signal: ctx.signal,
    onEvent: (e) =>
      e.kind === 'failed' || e.kind === 'error' ? ctx.err(describe(e)) : ctx.info(describe(e)),
  });
  ctx.out(
    `worker stopped: ${summary.done} job(s) done, ${summary.failed} failed, ${summary.released} put back; ${summary.blobsFetched} blob(s) fetched`,
  );
  return 0;
}

/** `--concurrency N`: N single-job worker processes of this same CLI, stopped together. */
async function runChildren(
  ctx: CommandContext,
  o: { url: string; concurrency: number; threads: number; cacheDir: string; stallSeconds: number },
): Promise<number> {
  const script = process.argv[1];
  if (!script)
    throw new AppError('INTERNAL', 'cannot tell which script started marlts, to start its workers');
  const args = [
    script,
    'worker',
    '--queue',
    o.url,
    '--concurrency',
    '1',
    '--threads',
    String(o.threads),
    '--cache-dir',
    o.cacheDir,
    '--stall-seconds',
    String(o.stallSeconds),
  ];
  ctx.info(`starting ${o.concurrency} worker processes, ${o.threads} kernel thread(s) each`);
  const children = Array.from({ length: o.concurrency }, () =>
    // Own process group: a terminal's Ctrl-C reaches only this process, which stops each
    // child once (a second signal would make a child exit at once instead of releasing its job).
    spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true }),
  );
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  ctx.signal.addEventListener('abort', stop, { once: true });
  const codes = await Promise.all(
    children.map((c) => new Promise<number>((done) => c.on('exit', (code) => done(code ?? 1)))),
  );
  ctx.signal.removeEventListener('abort', stop);
  // Interrupted children report 130; that is this command's own stop, not a failure.
  const worst = Math.max(...codes.map((c) => (c === 130 && ctx.signal.aborted ? 0 : c)));
  return worst;
}
