import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { RunStore, STORE_FILE, type SweepJobRow } from '../src/store.js';
import { SP500, TINY } from './sweep-fixtures.js';

const ROOT = join(import.meta.dirname, '..');

/** The marlts CLI from source in its own process (so it can be killed with SIGKILL). */
function cli(cwd: string, args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', join(ROOT, 'test/sweep-source-register.mjs'), join(ROOT, 'src/cli.ts'), ...args],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } },
  );
}

function exited(p: ChildProcess): Promise<{ code: number | null; err: string }> {
  let err = '';
  p.stderr!.on('data', (d) => {
    err += String(d);
  });
  p.stdout!.resume();
  return new Promise((r) => p.on('exit', (code) => r({ code, err })));
}

function jobs(runDir: string): SweepJobRow[] {
  if (!existsSync(join(runDir, STORE_FILE))) return [];
  const store = RunStore.open(runDir, { readonly: true });
  try {
    const run = store.listRuns('sweep')[0];
    return run ? store.sweeps.listJobs(run.id) : [];
  } catch {
    return []; // The coordinator is still creating the tables.
  } finally {
    store.close();
  }
}

describe('sweep resume', () => {
  it('a coordinator killed with SIGKILL mid-sweep resumes without re-running finished jobs; every result is stored once', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'marlts-resume-'));
    const runDir = join(cwd, 'run');
    writeFileSync(join(cwd, 'tiny.json'), JSON.stringify(TINY));
    writeFileSync(
      join(cwd, 'grid.json'),
      JSON.stringify({
        axes: { 'train.ppo.learningRate': [0.0003, 0.001, 0.003] },
        seeds: 2,
        validationFolds: 2,
        testFolds: 1,
      }),
    );
    const args = [
      'sweep',
      '--grid',
      'grid.json',
      '-c',
      'tiny.json',
      '--data',
      SP500,
      '--workers',
      '1',
      '--run-dir',
      runDir,
    ];

    const first = cli(cwd, args);
    const firstExit = exited(first);
    let before: SweepJobRow[] = [];
    for (let i = 0; i < 1200; i++) {
      before = jobs(runDir);
      if (before.some((j) => j.status === 'done')) break;
      if (first.exitCode !== null) break;
      await sleep(100);
    }
    first.kill('SIGKILL');
    const killed = await firstExit;
    expect(killed.code).toBeNull(); // killed, not finished
    before = jobs(runDir);
    const finished = before.filter((j) => j.status === 'done');
    expect(before).toHaveLength(6);
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.length).toBeLessThan(6);

    const store0 = RunStore.open(runDir, { readonly: true });
    const runId = store0.listRuns('sweep')[0]!.id;
    store0.close();

    const second = await exited(cli(cwd, [...args, '--resume', runId]));
    expect(second.err).toContain(`resumed: ${finished.length} job(s) already stored were not run again`);
    expect(second.code).toBe(0);

    const after = jobs(runDir);
    expect(after).toHaveLength(6);
    expect(new Set(after.map((j) => j.id)).size).toBe(6);
    for (const j of after) expect(j.status).toBe('done');
    for (const f of finished) {
      // Finished before the kill: not started again.
      expect(after.find((j) => j.id === f.id)!.startCount).toBe(f.startCount);
    }
    const store = RunStore.open(runDir, { readonly: true });
    try {
      for (const j of after) expect(store.sweeps.jobResult(j.id)?.result).toBeTruthy();
      expect(store.getRun(runId)!.status).toBe('done');
      const summary = store.getNotes(runId).sweep as { trials: number; winner: { index: number } | null };
      expect(summary.trials).toBe(3);
      expect(summary.winner).not.toBeNull();
      expect(
        store
          .listCheckpoints()
          .map((c) => c.agent)
          .sort(),
      ).toEqual(['rl-long-0', 'rl-short-0']);
    } finally {
      store.close();
    }

    // Resuming with another grid is refused before anything runs.
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ axes: { 'train.ppo.learningRate': [0.0003] } }));
    const err: string[] = [];
    const code = await main(
      [
        'sweep',
        '--grid',
        'other.json',
        '-c',
        'tiny.json',
        '--data',
        SP500,
        '--run-dir',
        runDir,
        '--resume',
        runId,
      ],
      { stdout: () => {}, stderr: (t) => void err.push(t), env: {}, cwd, isTty: false },
    );
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/--resume .*: this sweep's grid .* differs from the run's/);
  }, 240_000);
});
