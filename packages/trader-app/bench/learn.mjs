#!/usr/bin/env node
/**
 * The learnability benchmark (`pnpm bench:learn`): runs the BUILT CLI's
 * `marlts learnability --json` (the app's default config: planted-signal markets, walk-forward
 * backtests against an oracle and the baselines, 3 seeds, 9 folds) and prints its JSON summary,
 * with the machine's facts, as the last stdout line. Extra arguments go to the command, e.g.
 * `pnpm bench:learn -- --markets momentum --seeds 1`.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = [
  join(pkg, 'dist', 'cli.js'),
  'learnability',
  '--json',
  ...process.argv.slice(2).filter((a) => a !== '--'),
];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let buffered = '';
let last = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    if (line.startsWith('{"bench":"learnability"')) last = line;
    else process.stdout.write(`${line}\n`);
  }
});
child.on('close', (code) => {
  if (buffered.startsWith('{"bench":"learnability"')) last = buffered;
  if (code !== 0 || !last) {
    process.stderr.write(
      `bench:learn: marlts learnability exited with ${code}${last ? '' : ' and printed no JSON'}\n`,
    );
    process.exit(code || 1);
  }
  const summary = JSON.parse(last);
  process.stdout.write(
    `${JSON.stringify({ ...summary, node: process.version, cores: availableParallelism() })}\n`,
  );
});
