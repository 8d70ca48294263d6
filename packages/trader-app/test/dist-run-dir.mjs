// Dist test of the run-directory lock with real processes (plain node, the built CLI):
// two `marlts paper` on one --run-dir against `marlts sim` — the second is refused with one
// line naming the first (pid, command, start time) and the first keeps trading; Ctrl-C
// releases the lock; a lock left by a `kill -9`ed process is taken over with a note.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smokeTempDir } from './smoke-temp-dir.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');
const cli = join(pkgDir, 'dist', 'cli.js');
const tmp = smokeTempDir('marlts-rundir-');
const env = { ...process.env, CI: '1', ALPACA_KEY_ID: '', ALPACA_SECRET_KEY: '', EODHD_API_TOKEN: '' };

const children = [];
function fail(msg) {
  console.error(`dist run-dir test FAILED: ${msg}`);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  process.exit(1);
}
function start(args) {
  const p = spawn(process.execPath, [cli, ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  p.out = '';
  p.err = '';
  p.stdout.on('data', (d) => (p.out += d));
  p.stderr.on('data', (d) => (p.err += d));
  p.done = new Promise((r) => p.on('exit', (code) => r(code)));
  return p;
}
async function until(what, ok, ms = 120_000) {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dow = readFileSync(join(pkgDir, 'data', 'dow30_daily_close_1991-2000.csv'), 'utf8').split('\n');
const keep = new Set(['AA', 'KO', 'MSFT']);
const rows = dow.slice(1).filter((l) => {
  const [s, d] = l.split(',');
  return keep.has(s) && d >= '1998-01-01' && d <= '1999-08-31';
});
const csv = join(tmp, 'three.csv');
writeFileSync(csv, `${dow[0]}\n${rows.join('\n')}\n`);
const runDir = join(tmp, 'paper');
const lockFile = join(runDir, '.lock');
const trained = spawnSync(
  process.execPath,
  [
    cli,
    'train',
    '--data',
    csv,
    '--run-dir',
    runDir,
    '--ppo-steps',
    '256',
    '--sac-steps',
    '48',
    '--log-level',
    'warn',
  ],
  { cwd: tmp, env, encoding: 'utf8', timeout: 180_000 },
);
if (trained.status !== 0) fail(`train: exit ${trained.status} ${trained.stderr}`);
if (existsSync(lockFile)) fail('train left its lock behind');

const sim = start([
  'sim',
  '--data',
  csv,
  '--speed',
  '2',
  '--warmup-bars',
  '260',
  '--grace-seconds',
  '120',
  '--log-level',
  'warn',
]);
await until('the sim URL', () => sim.out.includes('\n') || sim.exitCode !== null, 30_000);
const url = sim.out.split('\n')[0].trim();
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) fail(`sim's first line is not its URL: ${url} ${sim.err}`);

const paperArgs = [
  'paper',
  '--alpaca-url',
  url,
  '--run-dir',
  runDir,
  '--retrain-bars',
  '10000',
  '--log-level',
  'warn',
];
const bars = (p) => (p.err.match(/^bar \S+: \d+ order\(s\) sent/gm) ?? []).length;

// 1. Two live loops on one run dir: the second is refused, the first goes on.
const first = start(paperArgs);
await until('the first paper loop to trade', () => bars(first) >= 1 || first.exitCode !== null);
if (first.exitCode !== null) fail(`the first paper loop ended (${first.exitCode}): ${first.err}`);
const holder = JSON.parse(readFileSync(lockFile, 'utf8'));
if (holder.pid !== first.pid) fail(`the lock names pid ${holder.pid}, not the running loop ${first.pid}`);
const second = start(paperArgs);
const code2 = await second.done;
if (code2 !== 1) fail(`the second paper loop exited ${code2}: ${second.err}`);
const refused = new RegExp(
  `^marlts: run directory ${runDir} is in use by marlts pid ${first.pid} on \\S+ \\("marlts paper --alpaca-url ${url} .*", started ${holder.startedAt}\\)`,
  'm',
);
if (!refused.test(second.err)) fail(`the refusal does not name the running loop:\n${second.err}`);
if (/\n\s+at /.test(second.err) || /SqliteError/.test(second.err))
  fail(`the refusal printed a stack:\n${second.err}`);
if (/paper run \S+ on|training a first pair/.test(second.err)) fail('the refused loop attached to the run');
const before = bars(first);
await until('the first loop to keep trading', () => bars(first) > before || first.exitCode !== null);
if (first.exitCode !== null) fail(`the first loop died after the refusal (${first.exitCode}): ${first.err}`);

// 2. Ctrl-C ends it cleanly and releases the lock.
first.kill('SIGINT');
const code1 = await first.done;
if (code1 !== 0) fail(`paper exited ${code1} after Ctrl-C: ${first.err}`);
if (existsSync(lockFile)) fail('Ctrl-C left the lock behind');

// 3. kill -9 leaves the lock; the next start takes it over with a note.
const third = start(paperArgs);
await until('the third loop to trade', () => bars(third) >= 1 || third.exitCode !== null);
third.kill('SIGKILL');
await third.done;
if (!existsSync(lockFile)) fail('a SIGKILLed loop cannot have removed its lock');
const fourth = start(paperArgs);
await until('the fourth loop to trade', () => bars(fourth) >= 1 || fourth.exitCode !== null);
if (!fourth.err.includes(`took over the lock of ${runDir} left by pid ${third.pid}`))
  fail(`no take-over note:\n${fourth.err}`);
fourth.kill('SIGINT');
if ((await fourth.done) !== 0) fail(`the fourth loop exited badly: ${fourth.err}`);
sim.kill('SIGTERM');
await sim.done;
console.log(
  `ok: marlts dist run-dir lock (second paper refused naming pid ${first.pid}; Ctrl-C released the lock; kill -9's lock taken over)`,
);
process.exit(0);
