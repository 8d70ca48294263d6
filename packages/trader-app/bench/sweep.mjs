#!/usr/bin/env node
/**
 * The sweep benchmark (`pnpm bench:sweep`): 8 configurations × 2 seeds (16 jobs) on the
 * bundled Dow 30 data through the BUILT CLI — `marlts sweep` on the local pool with 1
 * worker, then with every core, then through BullMQ with two `marlts worker` processes on a
 * redis-server (MARLTS_BENCH_REDIS_URL, else one started here on a free loopback port and
 * stopped after). Then the queue's own cost per job, with trivial jobs through the real
 * queue executor and workers (bench/queue-overhead.ts, loaded from source by vite's module
 * runner). Prints one JSON summary as the last stdout line; narration goes to stderr.
 *
 * Budgets are cut so the whole run takes about ten minutes on two cores: PPO 2,048 steps
 * and SAC 512 to start, 1,024 / 256 per retrain, 3 walk-forward folds (2 validation,
 * 1 test) of the app's default fold sizes. The JSON says so (`budgets`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(pkg, 'dist', 'cli.js');
const data = join(pkg, 'data', 'dow30_daily_close_1991-2000.csv');
const cores = availableParallelism();
const log = (t) => process.stderr.write(`bench:sweep: ${t}\n`);

const budgets = {
  ppoSteps: 2048,
  sacSteps: 512,
  retrainPpoSteps: 1024,
  retrainSacSteps: 256,
  validationFolds: 2,
  testFolds: 1,
};
const grid = {
  base: {
    train: { ppo: { totalTimesteps: budgets.ppoSteps }, sac: { totalTimesteps: budgets.sacSteps } },
    backtest: { ppoSteps: budgets.retrainPpoSteps, sacSteps: budgets.retrainSacSteps },
  },
  axes: {
    'train.ppo.learningRate': [0.0001, 0.0003],
    'train.sac.learningRate': [0.0003, 0.001],
    'train.ppo.entCoef': [0, 0.01],
  },
  seeds: 2,
  validationFolds: budgets.validationFolds,
  testFolds: budgets.testFolds,
};

const work = mkdtempSync(join(tmpdir(), 'marlts-bench-sweep-'));
const gridFile = join(work, 'grid.json');
writeFileSync(gridFile, JSON.stringify(grid, null, 2));

/** Runs `marlts …`, returns its last stdout line as JSON and the wall time. */
function marlts(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: work,
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - t0) / 1000;
      const last = out.trimEnd().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`marlts ${args.join(' ')} exited with ${code}:\n${out.slice(-2000)}`));
        return;
      }
      resolve({ summary: JSON.parse(last), wallSeconds });
    });
  });
}

function sweep(name, extra) {
  log(`${name}: marlts sweep ${extra.join(' ')}`);
  return marlts([
    'sweep',
    '--grid',
    gridFile,
    '--data',
    data,
    '--run-dir',
    join(work, name),
    '--json',
    '-q',
    ...extra,
  ]);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The Redis to use: MARLTS_BENCH_REDIS_URL, or a redis-server started here (stopped by `stop`). */
async function startRedis() {
  if (process.env.MARLTS_BENCH_REDIS_URL) return { url: process.env.MARLTS_BENCH_REDIS_URL, stop: () => {} };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      'redis-server is not installed: apt-get install redis-server, or set MARLTS_BENCH_REDIS_URL',
    );
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  for (let i = 0; i < 200 && !out.includes('Ready to accept connections'); i++)
    await new Promise((r) => setTimeout(r, 50));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** A sweep's numbers: every configuration's validation metrics and the winner's test metrics. */
function numbers(summary) {
  return JSON.stringify({ configs: summary.configs?.map((c) => c.validation), winner: summary.winner?.test });
}

async function queueOverhead(url) {
  const require = createRequire(join(pkg, 'package.json'));
  const vite = await import(
    pathToFileURL(createRequire(require.resolve('vitest/package.json')).resolve('vite')).href
  );
  const conditions = ['@marlts/source', 'node', 'import', 'default'];
  const { module } = await vite.runnerImport(join(pkg, 'bench', 'queue-overhead.ts'), {
    root: pkg,
    configFile: false,
    logLevel: 'silent',
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@marlts/source'] } },
  });
  // One worker: a job's full round trip, back to back. Two: what the same pair of workers pays per job.
  return {
    oneWorker: await module.measureQueueOverhead({ url, jobs: 300, workers: 1 }),
    twoWorkers: await module.measureQueueOverhead({ url, jobs: 300, workers: 2 }),
  };
}

const loadBefore = loadavg()[0];
const redis = await startRedis();
const workers = [];
try {
  const local1 = await sweep('local-1', ['--workers', '1']);
  const localAll = await sweep(`local-${cores}`, ['--workers', String(cores)]);

  const threads = String(Math.max(1, Math.floor(cores / 2)));
  for (let i = 0; i < 2; i++) {
    const w = spawn(
      process.execPath,
      [
        cli,
        'worker',
        '--queue',
        redis.url,
        '--threads',
        threads,
        '--cache-dir',
        join(work, `cache-${i}`),
        '-q',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    workers.push(w);
  }
  const queue2 = await sweep('queue-2', ['--queue', redis.url]);
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.on('exit', r)))));

  log('queue overhead with trivial jobs');
  const trivial = await queueOverhead(redis.url);
  const jobs = local1.summary.jobs?.total ?? 16;
  const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  const summary = {
    bench: 'sweep',
    configurations: 8,
    seeds: 2,
    jobs,
    data: 'dow30_daily_close_1991-2000.csv (bundled)',
    budgets: { ...budgets, note: 'cut from the app defaults so the benchmark takes ~10 minutes on 2 cores' },
    wallSeconds: {
      local1Worker: round(local1.wallSeconds),
      [`local${cores}Workers`]: round(localAll.wallSeconds),
      queue2Workers: round(queue2.wallSeconds),
    },
    speedupAllCores: round(local1.wallSeconds / localAll.wallSeconds, 2),
    secondsPerJob1Worker: round(local1.wallSeconds / jobs),
    sameNumbers:
      numbers(local1.summary) === numbers(localAll.summary) &&
      numbers(local1.summary) === numbers(queue2.summary),
    queueOverheadMsPerJob: {
      trivialJobs1Worker: trivial.oneWorker.overheadMsPerJob,
      trivialJobs2Workers: trivial.twoWorkers.overheadMsPerJob,
      trivialJobsPerSecond: trivial.twoWorkers.jobsPerSecond,
      ...(cores === 2
        ? { fromWallTimes: round(((queue2.wallSeconds - localAll.wallSeconds) * 1000) / (jobs / 2), 0) }
        : {}),
    },
    // Other work on the machine skews the wall times: the 1-minute load average before and after.
    loadAverage: { before: round(loadBefore), after: round(loadavg()[0]) },
    node: process.version,
    cores,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  redis.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);
