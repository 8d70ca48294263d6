// `pnpm demo`: build the CLI and its libraries quietly, then run `marlts demo`.
// turbo's telemetry notice, its banner and every build log stay hidden unless the build
// fails (then all of it is printed). Arguments after `pnpm demo --` go to the demo,
// e.g. `pnpm demo -- --quick`. Needs nothing but Node and the installed devDependencies.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// turbo's npm launcher (bin/turbo, a Node script that starts the platform binary); run it
// with this Node instead of relying on a `turbo` / `turbo.cmd` on PATH.
const turbo = createRequire(join(root, 'package.json')).resolve('turbo/bin/turbo');

const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
};

// Ctrl-C reaches the child too (same process group): let it stop, then exit with its code.
const ignore = () => {};
process.on('SIGINT', ignore);
process.on('SIGTERM', ignore);

/** Runs `args` with this Node; `capture` keeps the output instead of printing it. */
function run(args, capture) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    const chunks = [];
    if (capture) {
      child.stdout.on('data', (d) => chunks.push(d));
      child.stderr.on('data', (d) => chunks.push(d));
    }
    child.on('error', (e) => resolve({ code: 1, output: `${e.message}\n` }));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 + 2 : 1), output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

const started = Date.now();
process.stderr.write('building @marlts/trader-app and its libraries (turbo; output only if it fails)…\n');
const build = await run(
  [
    turbo,
    'run',
    'build',
    '--filter=@marlts/trader-app...',
    '--output-logs=errors-only',
    '--no-update-notifier',
    '--ui=stream',
  ],
  true,
);
if (build.code !== 0) {
  process.stderr.write(build.output);
  process.stderr.write(`\npnpm demo: the build failed (exit ${build.code}); its output is above.\n`);
  process.exit(build.code);
}
process.stderr.write(`built in ${((Date.now() - started) / 1000).toFixed(0)} s\n\n`);

const args = process.argv.slice(2);
if (args[0] === '--') args.shift(); // `pnpm demo -- --quick` may pass the separator on
const demo = await run([join(root, 'packages/trader-app/dist/cli.js'), 'demo', ...args], false);
process.exit(demo.code);
