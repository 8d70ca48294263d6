/**
 * The embedded executor: `workers` child processes on this machine, each running one job
 * at a time with rl-core's threads set to max(1, ⌊cores / workers⌋) so the pool does not
 * oversubscribe the cores. Jobs go to workers as they free up. A worker that dies mid-job
 * is replaced and its job goes to another worker (retried once, then recorded failed); a
 * job that throws is recorded failed with its error and the rest go on. An aborted signal
 * stops the workers (SIGTERM: each stops its job and exits) and `run` resolves.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../app-error.js';
import type { Blob } from './blobs.js';
import type { ExecutorHooks, SweepExecutor } from './executor.js';
import type { SweepJobSpec } from './job.js';
import { POOL_THREADS_ENV, type RunJobMessage, type WorkerMessage } from './pool-protocol.js';

const optionsSchema = z.strictObject({
  workers: z.number().int().min(1).max(512),
  /** rl-core threads per worker (default max(1, ⌊cores / workers⌋)). */
  threads: z.number().int().min(1).max(64).optional(),
  /** The worker script and Node flags (default: `pool-worker.js` beside this module). */
  entry: z.strictObject({ script: z.string().min(1), execArgv: z.array(z.string()).optional() }).optional(),
  /** Runs of a job a dying worker may cost before it is recorded failed. */
  attempts: z.number().int().min(1).default(2),
});

/** Options of {@link createLocalPool}. */
export type LocalPoolOptions = z.input<typeof optionsSchema>;

/**
 * The worker script: `dist/pool-worker.js` beside the built CLI; from source (tests), a
 * bootstrap that loads `pool-worker.ts` through vite's module runner.
 */
function defaultEntry(): { script: string; execArgv?: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.js')) return { script: fileURLToPath(new URL('./pool-worker.js', here)) };
  return { script: fileURLToPath(new URL('../../test/sweep-source-worker.mjs', here)) };
}

/** Workers that die before they are ready, in one run, before the pool gives up. */
const MAX_START_FAILURES = 3;

interface Slot {
  name: string;
  child: ChildProcess;
  ready: Promise<void>;
  job: SweepJobSpec | undefined;
  sent: Set<string>;
  /** The worker said it is ready (a worker that dies before is a start failure). */
  started: boolean;
}

/**
 * Starts a local pool executor (workers are started on first use).
 *
 * @example
 * const pool = createLocalPool({ workers: 2 });
 * await pool.run(jobs, blobs, { onStart() {}, onDone(id, r) {}, onFail(id, e) {} });
 * await pool.close();
 */
export function createLocalPool(options: LocalPoolOptions): SweepExecutor {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('USAGE', `local pool: ${issue.path.join('.') || 'options'}: ${issue.message}`, {
      field: issue.path.join('.') || 'workers',
    });
  }
  const o = parsed.data;
  const threads = o.threads ?? Math.max(1, Math.floor(availableParallelism() / o.workers));
  const entry = o.entry ?? defaultEntry();
  if (!existsSync(entry.script)) {
    throw new AppError('INTERNAL', `the pool worker script ${entry.script} is missing`, {
      hint: 'rebuild marlts (pnpm build)',
    });
  }
  const slots = new Set<Slot>();
  let counter = 0;

  const spawnSlot = (
    onMessage: (s: Slot, m: WorkerMessage) => void,
    onExit: (s: Slot, why: string) => void,
  ) => {
    const child = fork(entry.script, [], {
      execArgv: entry.execArgv ?? [],
      env: { ...process.env, [POOL_THREADS_ENV]: String(threads) },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let resolveReady!: () => void;
    const slot: Slot = {
      name: `local-${++counter}`,
      child,
      ready: new Promise<void>((r) => {
        resolveReady = r;
      }),
      job: undefined,
      sent: new Set(),
      started: false,
    };
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        slot.started = true;
        resolveReady();
      } else onMessage(slot, m);
    });
    child.on('exit', (code, signal) => {
      slots.delete(slot);
      resolveReady();
      onExit(slot, signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
    child.on('error', () => {});
    slots.add(slot);
    return slot;
  };

  const stopAll = async () => {
    const exits = [...slots].map(
      (s) =>
        new Promise<void>((r) => {
          if (s.child.exitCode !== null || s.child.signalCode !== null) return r();
          s.child.once('exit', () => r());
          s.child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  };

  return {
    async run(jobs, blobs, hooks: ExecutorHooks, runOptions = {}) {
      const signal = runOptions.signal;
      const byHash = new Map<string, Blob>(blobs.map((b) => [b.hash, b]));
      const queue = [...jobs];
      const attempts = new Map<string, number>();
      let pending = jobs.length;
      let startFailures = 0;
      if (pending === 0) return;
      await new Promise<void>((resolve) => {
        let stopping = false;
        const finish = () => {
          if (--pending === 0) resolve();
        };
        const dispatch = (slot: Slot) => {
          if (stopping || slot.job) return;
          const job = queue.shift();
          if (!job) return;
          slot.job = job;
          attempts.set(job.id, (attempts.get(job.id) ?? 0) + 1);
          const need = [job.configHash, job.dataHash].filter((h) => !slot.sent.has(h));
          const missing = need.filter((h) => !byHash.has(h));
          if (missing.length) {
            slot.job = undefined;
            hooks.onFail(job.id, {
              code: 'DATA',
              message: `job ${job.label}: blob ${missing[0]} was not given`,
            });
            finish();
            return dispatch(slot);
          }
          const msg: RunJobMessage = { type: 'job', spec: job, blobs: need.map((h) => byHash.get(h)!) };
          slot.child.send(msg);
          for (const h of need) slot.sent.add(h);
          hooks.onStart(job.id, `${slot.name} (pid ${slot.child.pid})`);
        };
        const onMessage = (slot: Slot, m: WorkerMessage) => {
          if (m.type !== 'done' && m.type !== 'fail') return;
          if (slot.job?.id !== m.jobId) return;
          slot.job = undefined;
          if (m.type === 'done') hooks.onDone(m.jobId, m.result);
          else if (!stopping) hooks.onFail(m.jobId, m.error);
          finish();
          dispatch(slot);
        };
        const onExit = (slot: Slot, why: string) => {
          const job = slot.job;
          slot.job = undefined;
          if (stopping) return;
          if (!slot.started && ++startFailures >= MAX_START_FAILURES) {
            // Workers that cannot even start (a broken install) would be replaced forever.
            stopping = true;
            const error = {
              code: 'WORKER_START',
              message: `local pool workers (${entry.script}) ${why} before they were ready, ${startFailures} times`,
            };
            for (const j of queue.splice(0)) {
              hooks.onFail(j.id, error);
              finish();
            }
            for (const s of slots) {
              if (s.job) {
                hooks.onFail(s.job.id, error);
                finish();
              }
            }
            void stopAll();
            return;
          }
          if (job) {
            if ((attempts.get(job.id) ?? 0) < o.attempts) queue.unshift(job);
            else {
              hooks.onFail(job.id, {
                code: 'WORKER_DIED',
                message: `the worker running job ${job.label} ${why}, ${o.attempts} times`,
              });
              finish();
            }
          }
          // Replace the worker while there is work it could take.
          if (queue.length > 0) start();
        };
        const start = () => {
          const slot = spawnSlot(onMessage, onExit);
          void slot.ready.then(() => dispatch(slot));
        };
        const onAbort = () => {
          stopping = true;
          void stopAll().then(() => resolve());
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        const idle = [...slots].filter((s) => !s.job);
        for (const s of idle) dispatch(s);
        for (let i = slots.size; i < Math.min(o.workers, jobs.length); i++) start();
      });
    },
    async close() {
      await stopAll();
    },
  };
}
