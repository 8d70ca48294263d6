// Dist smoke test of what the built `marlts` prints (plain node, no vitest), as a person
// sees it with stdout/stderr piped (`marlts … | cat`, CI logs) and on a terminal:
// 1. human log lines and plain progress lines on stderr, never a JSON log line, no
//    escape codes; results on stdout;
// 2. `-q`: stderr (nearly) empty, the result still on stdout;
// 3. on a terminal (`script`, when installed): no log line drawn onto the progress bar;
// 4. Ctrl-C during `backtest` ends it `interrupted` (exit 130), and a backtest killed
//    with SIGKILL is reported as a stale "running" run;
// 5. the bundle does not inline package.json.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smokeTempDir } from './smoke-temp-dir.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, '..');
const cli = join(pkgDir, 'dist', 'cli.js');
const tmp = smokeTempDir('marlts-output-');
const env = { ...process.env, ALPACA_KEY_ID: '', ALPACA_SECRET_KEY: '', EODHD_API_TOKEN: '' };
delete env.CI; // CI only turns bars off on a terminal; the checks below are about pipes
delete env.FORCE_COLOR;

function fail(msg) {
  console.error(`output dist smoke FAILED: ${msg}`);
  process.exit(1);
}
function run(args, opts = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd: tmp,
    env,
    timeout: 300_000,
    ...opts,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** Text without ANSI escape sequences (ESC [ params letter). */
function stripAnsi(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 27 && text[i + 1] === '[') {
      i += 2;
      while (i < text.length && !/[A-Za-z]/.test(text[i])) i++;
    } else out += text[i];
  }
  return out;
}
const jsonLines = (text) => text.split('\n').filter((l) => l.trimStart().startsWith('{"level"'));

// 1. Piped: what `marlts demo --quick | cat` shows.
const piped = run(['demo', '--quick', '--run-dir', join(tmp, 'demo')]);
if (piped.code !== 0) fail(`demo --quick exited ${piped.code}: ${piped.err.slice(-2000)}`);
if (jsonLines(piped.err).length > 0)
  fail(`JSON log lines on a piped stderr:\n${jsonLines(piped.err).slice(0, 3).join('\n')}`);
if (jsonLines(piped.out).length > 0) fail('JSON log lines on stdout');
if (piped.err.includes('\x1b') || piped.err.includes('\r'))
  fail('escape codes or carriage returns on a piped stderr');
if (!/^\d\d:\d\d:\d\d info {2}retrain decision {2}agent=\S+ promoted=(true|false)/m.test(piped.err))
  fail(`no human log line for the retrain decisions:\n${piped.err.slice(0, 1500)}`);
if (!/^paper replay: done 42\/42 in \d+\.\ds/m.test(piped.err))
  fail('no plain progress line for the paper replay');
if (!/^report: .*report-\S+\.html$/m.test(piped.out)) fail(`no report path on stdout:\n${piped.out}`);

// 2. -q: only warnings, errors and the result.
const quiet = run(['demo', '--quick', '-q', '--run-dir', join(tmp, 'quiet')]);
if (quiet.code !== 0) fail(`demo --quick -q exited ${quiet.code}: ${quiet.err.slice(-2000)}`);
// Allowed under -q: warning/error log lines, and `warning:` / `marlts:` / `hint:` lines.
const noise = quiet.err
  .split('\n')
  .filter((l) => l.trim() !== '' && !/ (warn|error) /.test(l) && !/^(warning|marlts|hint):/.test(l));
if (noise.length > 0) fail(`-q printed on stderr:\n${noise.slice(0, 5).join('\n')}`);
if (!/^report: /m.test(quiet.out)) fail('-q lost the result on stdout');

// 3. A terminal, through script(1) when the machine has it.
if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0) {
  const inner = `stty cols 160 2>/dev/null; ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} demo --quick --run-dir ${JSON.stringify(join(tmp, 'tty'))} 2>&1 >/dev/null`;
  const t = spawnSync('script', ['-qec', inner, '/dev/null'], {
    encoding: 'utf8',
    env: { ...env, NO_COLOR: '1' },
    timeout: 300_000,
  });
  if (t.status !== 0) fail(`demo --quick on a terminal exited ${t.status}: ${String(t.stdout).slice(-1500)}`);
  const raw = String(t.stdout);
  if (jsonLines(raw.replace(/\r/g, '\n')).length > 0) fail('JSON log lines on a terminal');
  if (!raw.includes('█')) fail('no progress bar on a terminal');
  // What stays on screen is each line after its last carriage return: a log line and a bar never share one.
  for (const line of raw.split('\n')) {
    const shown = stripAnsi(line.split('\r').at(-1));
    if (/[█░]/.test(shown) && / (info|warn|error) {1,2}\S/.test(shown))
      fail(`a log line shares the bar's line: ${shown}`);
  }
  for (const line of raw.split('\n')) {
    const at = line.search(/\d\d:\d\d:\d\d /);
    if (at > 0 && !line.slice(0, at).endsWith('\r\x1b[2K') && /[█░]/.test(line.slice(0, at)))
      fail(`a log line was printed without clearing the bar: ${JSON.stringify(line.slice(0, 200))}`);
  }
} else {
  console.log('output dist smoke: no script(1) here, the terminal check is skipped');
}

// 4. Ctrl-C and kill -9 during a backtest (default budgets: it runs long enough to be stopped).
async function backtestUntilStarted(runDir) {
  const child = spawn(process.execPath, [cli, 'backtest', '--symbols', 'AA,KO,MSFT', '--run-dir', runDir], {
    cwd: tmp,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backtest never started: ${err}`)), 120_000);
    child.stderr.on('data', () => {
      if (err.includes('walk-forward on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  }).catch((e) => fail(e.message));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, err: () => err };
}
const ctrlC = await backtestUntilStarted(join(tmp, 'int'));
ctrlC.child.kill('SIGINT');
const ended = await ctrlC.exited;
if (ended.code !== 130)
  fail(
    `Ctrl-C during backtest exited ${ended.code ?? ended.signal}, expected 130: ${ctrlC.err().slice(-800)}`,
  );
if (!/marlts: backtest interrupted: run \S+ is marked interrupted/.test(ctrlC.err()))
  fail(`no "interrupted" line after Ctrl-C: ${ctrlC.err().slice(-800)}`);
const intReport = run(['report', '--run-dir', join(tmp, 'int')]);
if (!/^run \S+ \(backtest, interrupted\)$/m.test(intReport.out))
  fail(`interrupted run reported as: ${intReport.out.split('\n')[0]}`);

const killed = await backtestUntilStarted(join(tmp, 'killed'));
killed.child.kill('SIGKILL');
await killed.exited;
const staleReport = run(['report', '--run-dir', join(tmp, 'killed')]);
if (staleReport.code !== 0) fail(`report of a killed run exited ${staleReport.code}: ${staleReport.err}`);
if (!/^run \S+ \(backtest, running, stale\)$/m.test(staleReport.out))
  fail(`a killed run is not reported stale: ${staleReport.out.split('\n').slice(0, 2).join(' / ')}`);
if (!/says "running" but is stale: its process \(pid \d+/.test(staleReport.err))
  fail('no stale warning on stderr');

// 5. The bundle reads the version at run time instead of inlining package.json.
const bundle = readFileSync(cli, 'utf8');
if (bundle.includes('"devDependencies"') || bundle.includes('reinforcement-learning'))
  fail('dist/cli.js inlines package.json');

console.log('output dist smoke: ok (piped, -q, terminal, Ctrl-C, kill -9, bundle)');
