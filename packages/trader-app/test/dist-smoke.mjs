// Dist smoke test for the built `marlts` CLI (plain node, no vitest): --version, --help,
// a usage error (exit 2), a real command, and the crash test of the issue: `marlts sim`
// as its own process, `marlts paper` against it killed with SIGKILL mid-session and
// restarted on the same --run-dir; afterwards the exchange's positions must equal the
// run store's and no client_order_id may have been submitted twice.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { smokeTempDir } from './smoke-temp-dir.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');
const cli = join(pkgDir, 'dist', 'cli.js');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const tmp = smokeTempDir('marlts-smoke-');
const env = { ...process.env, CI: '1', ALPACA_KEY_ID: '', ALPACA_SECRET_KEY: '', EODHD_API_TOKEN: '' };

const children = [];
function fail(msg) {
  console.error(`dist smoke FAILED: ${msg}`);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  process.exit(1);
}
function run(args, opts = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd: tmp,
    env,
    timeout: 180_000,
    ...opts,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// 1. --version, --help, usage errors.
const v = run(['--version']);
if (v.code !== 0 || v.out.trim() !== pkg.version)
  fail(`--version printed "${v.out.trim()}" (exit ${v.code})`);
const h = run(['--help']);
for (const c of ['demo', 'data', 'train', 'backtest', 'sim', 'paper', 'report']) {
  if (!new RegExp(`^\\s+${c}\\b`, 'm').test(h.out)) fail(`--help does not list ${c}`);
}
const bh = run(['backtest', '--help']);
if (bh.code !== 0 || !/--seeds <n>\s+seeds \(default: \d+\)/.test(bh.out))
  fail('backtest --help lacks --seeds with its default');
const bad = run(['backtest', '--no-such-flag']);
if (bad.code !== 2) fail(`an unknown option exited ${bad.code}, expected 2`);
const badNum = run(['backtest', '--seeds', 'many']);
if (badNum.code !== 2) fail(`a bad number exited ${badNum.code}, expected 2`);

// 2. Failures end with a clear message and exit 1.
writeFileSync(join(tmp, 'bad.json'), JSON.stringify({ risk: { maxPositionWeight: 7 } }));
const badCfg = run(['report', '--config', 'bad.json']);
if (badCfg.code !== 1 || !badCfg.err.includes('risk.maxPositionWeight'))
  fail(`bad config: exit ${badCfg.code}, "${badCfg.err}"`);
const noKey = run([
  'data',
  'fetch',
  '--symbols',
  'AAPL',
  '--from',
  '2024-01-01',
  '--run-dir',
  join(tmp, 'k'),
]);
if (noKey.code !== 1 || !noKey.err.includes('EODHD_API_TOKEN'))
  fail(`missing key: exit ${noKey.code}, "${noKey.err}"`);
const unreachable = run(['paper', '--alpaca-url', 'http://127.0.0.1:9', '--run-dir', join(tmp, 'u')]);
if (unreachable.code !== 1 || !/cannot reach the broker/.test(unreachable.err)) {
  fail(`unreachable broker: exit ${unreachable.code}, "${unreachable.err}"`);
}

// 3. A real command: import a slice of the bundled data.
const dow = readFileSync(join(pkgDir, 'data', 'dow30_daily_close_1991-2000.csv'), 'utf8').split('\n');
const keep = new Set(['AA', 'KO', 'MSFT']);
const rows = dow.slice(1).filter((l) => {
  const [s, d] = l.split(',');
  return keep.has(s) && d >= '1998-01-01' && d <= '1999-08-31';
});
const csv = join(tmp, 'three.csv');
writeFileSync(csv, `${dow[0]}\n${rows.join('\n')}\n`);
const imp = run(['data', 'import', csv, '--run-dir', join(tmp, 'imp')]);
if (imp.code !== 0 || !/3 symbol\(s\) \(AA,KO,MSFT\)/.test(imp.out))
  fail(`data import: exit ${imp.code} ${imp.out} ${imp.err}`);

// 4. kill -9 in the middle of a paper session, restart, compare. Train first, so the
// paper loop starts trading at once (the sim replays in real time).
const runDir = join(tmp, 'paper');
const trained = run([
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
]);
if (trained.code !== 0 || !/rl-short-0 \(sac\) v1/.test(trained.out))
  fail(`train: exit ${trained.code} ${trained.err}`);
const sim = spawn(
  process.execPath,
  [
    cli,
    'sim',
    '--data',
    csv,
    '--speed',
    '6',
    '--warmup-bars',
    '260',
    '--grace-seconds',
    '120',
    '--log-level',
    'warn',
  ],
  {
    cwd: tmp,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
children.push(sim);
let simErr = '';
sim.stderr.on('data', (d) => (simErr += d));
const url = await new Promise((resolve, reject) => {
  let buf = '';
  sim.stdout.on('data', (d) => {
    buf += d;
    const nl = buf.indexOf('\n');
    if (nl >= 0) resolve(buf.slice(0, nl).trim());
  });
  sim.on('exit', (c) => reject(new Error(`sim exited ${c}: ${simErr}`)));
  setTimeout(() => reject(new Error('sim printed no URL')), 30_000);
}).catch((e) => fail(e.message));
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) fail(`sim's first line is not its URL: ${url}`);

const paperArgs = [
  'paper',
  '--alpaca-url',
  url,
  '--run-dir',
  runDir,
  '--ppo-steps',
  '256',
  '--sac-steps',
  '48',
  '--retrain-bars',
  '10000',
  '--until-idle',
  '5',
  '--log-level',
  'warn',
];
function startPaper() {
  const p = spawn(process.execPath, [cli, ...paperArgs], {
    cwd: tmp,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(p);
  p.err = '';
  p.stderr.on('data', (d) => (p.err += d));
  return p;
}
const first = startPaper();
// Kill it once it has sent orders on a few bars.
const waitFrom = Date.now();
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const sent = (first.err.match(/bar \S+: [1-9]\d* order\(s\) sent/g) ?? []).length;
    if (Date.now() - waitFrom > 120_000) fail(`the paper loop sent no orders within 2 minutes: ${first.err}`);
    if (sent >= 2 || first.exitCode !== null) {
      clearInterval(timer);
      resolve();
    }
  }, 50);
});
if (first.exitCode !== null) fail(`first paper process ended on its own (${first.exitCode}): ${first.err}`);
first.kill('SIGKILL');
await new Promise((r) => first.on('exit', r));

// Restart, then Ctrl-C it once it has traded again: it must stop cleanly (exit 0, run marked stopped).
const second = startPaper();
const sentBy = (p) => (p.err.match(/bar \S+: [1-9]\d* order\(s\) sent/g) ?? []).length;
const waitSecond = Date.now();
await new Promise((resolve) => {
  const timer = setInterval(() => {
    if (Date.now() - waitSecond > 120_000) fail(`the restarted paper loop sent no orders: ${second.err}`);
    if (sentBy(second) >= 1 || second.exitCode !== null) {
      clearInterval(timer);
      resolve();
    }
  }, 50);
});
if (!second.err.includes('resuming paper run')) fail('the restart did not resume the run');
let ctrlC = 'the replay ended before Ctrl-C could be sent';
if (second.exitCode === null) {
  ctrlC = 'Ctrl-C stopped it cleanly';
  second.kill('SIGINT');
  const intTimer = setTimeout(() => fail(`paper did not stop within 60 s of Ctrl-C: ${second.err}`), 60_000);
  const codeInt = await new Promise((r) => second.on('exit', r));
  clearTimeout(intTimer);
  if (codeInt !== 0) fail(`paper exited ${codeInt} after Ctrl-C: ${second.err}`);
  if (!/SIGINT received, stopping cleanly/.test(second.err) || !/paper run \S+ stopped/.test(second.err))
    fail(`Ctrl-C did not stop the paper run cleanly: ${second.err}`);
}

// Resume once more and let it run to the end of the replay.
const third = startPaper();
const thirdTimer = setTimeout(() => fail(`the resumed paper loop did not finish: ${third.err}`), 180_000);
const code3 = await new Promise((r) => third.on('exit', r));
clearTimeout(thirdTimer);
if (code3 !== 0) fail(`resumed paper exited ${code3}: ${third.err}`);
if (!third.err.includes('resuming paper run')) fail('the third start did not resume the run');

const get = async (path) => {
  const r = await fetch(`${url}${path}`, { headers: { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's' } });
  return r.json();
};
const simPositions = new Map((await get('/v2/positions')).map((p) => [p.symbol, Number(p.qty)]));
const simOrders = await get('/v2/orders?status=all&limit=500&nested=false');
sim.kill('SIGTERM');

const db = new Database(join(runDir, 'marlts.db'), { readonly: true });
const runs = db.prepare("SELECT id FROM runs WHERE kind = 'paper'").all();
if (runs.length !== 1) fail(`expected one paper run in the store, found ${runs.length}`);
const runId = runs[0].id;
const last = db.prepare('SELECT MAX(bar_time) AS t FROM positions WHERE run_id = ?').get(runId).t;
const storePositions = new Map(
  db
    .prepare("SELECT symbol, qty FROM positions WHERE run_id = ? AND bar_time = ? AND symbol != ''")
    .all(runId, last)
    .map((r) => [r.symbol, r.qty]),
);
const fromFills = new Map();
for (const f of db.prepare('SELECT symbol, side, qty FROM fills WHERE run_id = ?').all(runId)) {
  fromFills.set(f.symbol, (fromFills.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
}
for (const [k, q] of fromFills) if (Math.abs(q) < 1e-9) fromFills.delete(k);
const same = (a, b) => a.size === b.size && [...a].every(([k, q]) => Math.abs((b.get(k) ?? 0) - q) < 1e-6);
if (simPositions.size === 0) fail('the session ended flat: the crash test proves little');
if (!same(simPositions, storePositions))
  fail(
    `positions differ: sim ${JSON.stringify([...simPositions])} store ${JSON.stringify([...storePositions])}`,
  );
if (!same(simPositions, fromFills))
  fail(`a fill was lost: sim ${JSON.stringify([...simPositions])} fills ${JSON.stringify([...fromFills])}`);
const ids = simOrders.map((o) => o.client_order_id);
if (new Set(ids).size !== ids.length) fail('the exchange holds a client_order_id twice');
const intents = db
  .prepare(
    "SELECT client_order_id, COUNT(*) AS n FROM order_events WHERE status = 'intent' GROUP BY client_order_id",
  )
  .all();
if (intents.some((r) => r.n !== 1)) fail('an order intent was written twice');
const storeIds = new Set(
  db
    .prepare('SELECT client_order_id FROM orders WHERE run_id = ?')
    .all(runId)
    .map((r) => r.client_order_id),
);
const unknown = ids.filter((id) => !storeIds.has(id));
if (unknown.length > 0) fail(`orders at the exchange the run store does not know: ${unknown.join(', ')}`);
const report = run(['report', '--run-dir', runDir]);
if (report.code !== 0 || !/report: .*\.html/.test(report.out))
  fail(`report: exit ${report.code} ${report.err}`);
db.close();

// 5. The README's main command, offline, with the smallest budgets.
const demoDir = join(tmp, 'demo');
const demo = run(['demo', '--quick', '--run-dir', demoDir, '--log-level', 'warn'], { timeout: 300_000 });
const reportPath = /report: (\S+\.html)/.exec(demo.out)?.[1];
if (demo.code !== 0 || !reportPath) fail(`demo --quick: exit ${demo.code}\n${demo.out}\n${demo.err}`);
const html = readFileSync(reportPath, 'utf8');
for (const title of [
  'backtest: equity per agent and baseline',
  'paper: equity per agent and baseline',
  'backtest: drawdown',
  'intraday: equity per agent and baseline',
]) {
  if (!html.includes(title)) fail(`the demo report lacks the chart "${title}"`);
}
// The intraday stage: its own run in the same store, linked from the demo run, retraining
// every 60 minutes of bar time (every 2 half-hour bars), each round one decision per agent.
const ddb = new Database(join(demoDir, 'marlts.db'), { readonly: true });
const demoRun = ddb.prepare("SELECT id FROM runs WHERE kind = 'demo' ORDER BY created_at DESC LIMIT 1").get();
const linkRow = ddb
  .prepare("SELECT json FROM notes WHERE run_id = ? AND key = 'linkedSections'")
  .get(demoRun?.id);
const intradayRunId = linkRow
  ? JSON.parse(linkRow.json).find((l) => l.section === 'intraday')?.runId
  : undefined;
if (!intradayRunId) fail('the demo run links no intraday run');
const latest = ddb.prepare('SELECT id FROM runs ORDER BY created_at DESC, id DESC LIMIT 1').get();
if (latest.id !== demoRun.id) fail(`the store's latest run is ${latest.id}, not the demo run ${demoRun.id}`);
const decisions = ddb
  .prepare(
    'SELECT bar_time, agent, promoted FROM retrain_decisions WHERE run_id = ? ORDER BY bar_time, agent',
  )
  .all(intradayRunId);
const retrainTimes = [...new Set(decisions.map((d) => d.bar_time))];
if (retrainTimes.length < 3) fail(`the intraday stage retrained ${retrainTimes.length} times, expected >= 3`);
for (let i = 1; i < retrainTimes.length; i++) {
  const gap = retrainTimes[i] - retrainTimes[i - 1];
  if (gap !== 3_600_000) {
    fail(
      `intraday retrains ${new Date(retrainTimes[i - 1]).toISOString()} -> ${new Date(retrainTimes[i]).toISOString()}: ${gap / 60_000} min of bar time, expected 60`,
    );
  }
}
const agents = [...new Set(decisions.map((d) => d.agent))].sort().join(',');
if (agents !== 'rl-long-0-intraday,rl-short-0-intraday' || decisions.length !== 2 * retrainTimes.length)
  fail(
    `intraday retrain decisions: agents ${agents}, ${decisions.length} rows for ${retrainTimes.length} rounds`,
  );
const intradayBars = ddb
  .prepare("SELECT COUNT(*) AS n FROM equity WHERE run_id = ? AND series = 'paper/account'")
  .get(intradayRunId).n;
if (intradayBars < 2 * retrainTimes.length)
  fail(`the intraday stage recorded only ${intradayBars} equity points`);
const dailyTimes = ddb
  .prepare('SELECT DISTINCT bar_time FROM retrain_decisions WHERE run_id = ? ORDER BY bar_time')
  .all(demoRun.id)
  .map((r) => r.bar_time);
if (dailyTimes.length < 1) fail('the daily paper stage made no retrain decision');
const ckptAgents = ddb
  .prepare('SELECT run_id, agent FROM checkpoints')
  .all()
  .map((c) => [c.run_id === intradayRunId, c.agent.endsWith('-intraday')]);
if (!ckptAgents.some(([intra]) => intra) || ckptAgents.some(([intra, named]) => intra !== named))
  fail('intraday checkpoints must be exactly the ones named *-intraday (the daily champions stay apart)');
if (!demo.out.includes('intraday stage: retrained every 60 minutes of bar time (= every 2 bars)'))
  fail(`the demo output does not state the intraday cadence:\n${demo.out}`);
if (!demo.out.includes('daily stage: retrained every 21 bars'))
  fail(`the demo output does not state the daily cadence:\n${demo.out}`);
ddb.close();
console.log(
  `ok: marlts ${pkg.version} dist smoke (help, exit codes, import, kill -9 paper restart (${ctrlC}): ${ids.length} orders, ` +
    `${[...simPositions].map(([s, q]) => `${s} ${q}`).join(', ')} at the exchange = run store; demo --quick report, intraday stage ${retrainTimes.length} retrains 60 min of bar time apart)`,
);
process.exit(0);
