import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { dataBlob, MemoryBlobs } from '../src/sweep/blobs.js';
import { runSweepJob, type SweepJobResult, sweepJob } from '../src/sweep/job.js';
import { createLocalPool } from '../src/sweep/local-pool.js';
import { SP500, sp500Frame, TINY, tinyConfig } from './sweep-fixtures.js';

/** What must match between two runs of a job: everything but wall time and the checkpoints' timestamps. */
function comparable(r: SweepJobResult) {
  const { trainSeconds: _t, checkpoints, ...rest } = r;
  const strip = (b: { createdAt?: string; checksum?: string } | null) => {
    if (!b) return b;
    const { createdAt: _c, checksum: _s, ...keep } = b;
    return keep;
  };
  return { ...rest, checkpoints: { long: strip(checkpoints!.long), short: strip(checkpoints!.short) } };
}

describe('local pool', () => {
  it('gives the in-process numbers, retries a job whose worker is killed, and records a NaN job as failed while the rest go on', async () => {
    const frame = sp500Frame();
    const data = dataBlob(frame);
    const a = sweepJob({ config: tinyConfig(), dataHash: data.hash, seed: 1, label: 'a' });
    const b = sweepJob({
      config: tinyConfig({ env: { windowBars: 20 } }),
      dataHash: data.hash,
      seed: 1001,
      label: 'b',
    });
    // An exploding SAC learning rate: rl-core's typed NaN error.
    const nan = sweepJob({
      config: tinyConfig({ train: { sac: { learningRate: 10 } } }),
      dataHash: data.hash,
      seed: 1,
      label: 'nan',
    });
    const blobs = [data, a.blob, b.blob, nan.blob];
    const starts: Array<{ id: string; pid: number }> = [];
    const done = new Map<string, SweepJobResult[]>();
    const failed = new Map<string, { code: string; message: string }>();
    const pool = createLocalPool({ workers: 2 });
    try {
      await pool.run([a.spec, b.spec, nan.spec], blobs, {
        onStart(id, worker) {
          const pid = Number(/pid (\d+)/.exec(worker)![1]);
          starts.push({ id, pid });
          // The first run of job a loses its worker mid-job.
          if (id === a.spec.id && starts.filter((s) => s.id === id).length === 1)
            process.kill(pid, 'SIGKILL');
        },
        onDone(id, result) {
          done.set(id, [...(done.get(id) ?? []), result]);
        },
        onFail(id, error) {
          failed.set(id, error);
        },
      });
    } finally {
      await pool.close();
    }
    expect(starts.filter((s) => s.id === a.spec.id)).toHaveLength(2);
    const [first, second] = starts.filter((s) => s.id === a.spec.id);
    expect(second!.pid).not.toBe(first!.pid);
    expect(done.get(a.spec.id)).toHaveLength(1);
    expect(done.get(b.spec.id)).toHaveLength(1);
    expect(failed.get(nan.spec.id)?.code).toBe('NAN');
    // rl-core's NAN error names the first non-finite value it met (NaN or ±Infinity) and where.
    expect(failed.get(nan.spec.id)?.message).toMatch(/^Sac: \w+ is (NaN|-?Infinity) at step \d+/);
    expect([...failed.keys()]).toEqual([nan.spec.id]);

    // The same jobs in this process: the same numbers, bit for bit.
    const local = new MemoryBlobs(blobs);
    for (const job of [a, b]) {
      const here = await runSweepJob(job.spec, local);
      expect(comparable(done.get(job.spec.id)![0]!)).toEqual(comparable(here));
    }
  });

  it('backtest --workers 2 prints the summary --workers 1 prints, bit for bit', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'marlts-pool-'));
    writeFileSync(join(cwd, 'tiny.json'), JSON.stringify(TINY));
    const summaries: Array<Record<string, unknown>> = [];
    for (const workers of ['1', '2']) {
      const out: string[] = [];
      const args = ['backtest', '--json', '-q', '-c', 'tiny.json', '--data', SP500, '--seeds', '2'];
      args.push('--workers', workers, '--run-dir', join(cwd, `run-${workers}`));
      const code = await main(args, {
        stdout: (t) => void out.push(t),
        stderr: () => {},
        env: {},
        cwd,
        isTty: false,
      });
      expect(code).toBe(0);
      const s = JSON.parse(out.join('').trimEnd().split('\n').at(-1)!);
      for (const k of ['runId', 'report']) delete s[k];
      s.budget.trainSeconds = 0;
      summaries.push(s);
    }
    expect(summaries[0]!.agents).toBeDefined();
    expect(JSON.stringify(summaries[1])).toBe(JSON.stringify(summaries[0]));
  });
});
