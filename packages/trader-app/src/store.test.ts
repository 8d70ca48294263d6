import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RunStore, SCHEMA_VERSION } from './store.js';

const dir = () => mkdtempSync(join(tmpdir(), 'marlts-store-'));

describe('RunStore', () => {
  it('migrates an empty database once, in WAL mode', () => {
    const d = dir();
    const s = RunStore.open(d);
    expect(s.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    s.close();
    const again = RunStore.open(d);
    expect(again.schemaVersion()).toBe(SCHEMA_VERSION);
    const versions = again.db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number };
    expect(versions.n).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('refuses a store from a newer marlts', () => {
    const d = dir();
    RunStore.open(d).close();
    const raw = new Database(join(d, 'marlts.db'));
    raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (99, 0)').run();
    raw.close();
    expect(() => RunStore.open(d)).toThrow(/newer/);
  });

  it('records an order intent once and every state change, fills idempotently', () => {
    const s = RunStore.open(dir());
    const runId = s.createRun({ kind: 'paper', seed: 1 });
    const intent = {
      clientOrderId: 'm-x-1-AA-a',
      runId,
      symbol: 'AA',
      side: 'buy' as const,
      qty: 10,
      type: 'market',
      limitPrice: null,
      leg: 'a',
      barTime: 1,
      request: { symbol: 'AA' },
    };
    expect(s.recordOrderIntent(intent)).toBe(true);
    expect(s.recordOrderIntent(intent)).toBe(false);
    expect(s.openOrders(runId).map((o) => o.status)).toEqual(['intent']);
    s.applyOrderUpdate('m-x-1-AA-a', { status: 'new', brokerOrderId: 'b1', filledQty: 0 });
    const f1 = s.applyOrderUpdate('m-x-1-AA-a', {
      status: 'partially_filled',
      filledQty: 4,
      filledAvgPrice: 10,
    });
    expect(f1?.qty).toBe(4);
    const f2 = s.applyOrderUpdate('m-x-1-AA-a', { status: 'filled', filledQty: 10, filledAvgPrice: 11.2 });
    expect(f2?.qty).toBe(6);
    expect(f2?.price).toBeCloseTo(12, 10); // (10*11.2 - 4*10) / 6
    // A replayed update changes nothing.
    expect(
      s.applyOrderUpdate('m-x-1-AA-a', { status: 'filled', filledQty: 10, filledAvgPrice: 11.2 }),
    ).toBeUndefined();
    expect(s.orderEvents('m-x-1-AA-a').map((e) => e.status)).toEqual([
      'intent',
      'new',
      'partially_filled',
      'filled',
    ]);
    expect(s.listFills(runId)).toHaveLength(2);
    expect(s.positionsFromFills(runId).get('AA')).toBe(10);
    expect(s.openOrders(runId)).toHaveLength(0);
    s.close();
  });

  it('rolls back a failed transaction entirely', () => {
    const s = RunStore.open(dir());
    const runId = s.createRun({ kind: 'paper' });
    expect(() =>
      s.transaction(() => {
        s.setCursor(runId, 5);
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash');
    expect(s.getCursor(runId)).toBeUndefined();
    s.close();
  });

  it('versions checkpoints per agent and promotes through retrain decisions', () => {
    const s = RunStore.open(dir());
    const runId = s.createRun({ kind: 'train', seed: 3 });
    const base = {
      runId,
      agent: 'rl-long-0',
      algo: 'ppo',
      path: '/x',
      sha256: 'ab',
      seed: 3,
      dataStart: 0,
      dataEnd: 1,
      configSha256: 'cd',
      totalTimesteps: 10,
      parentId: null,
    };
    const a = s.addCheckpoint({ ...base, promoted: true });
    const b = s.addCheckpoint({ ...base, parentId: a.id });
    expect([a.version, b.version]).toEqual([1, 2]);
    expect(s.championCheckpoint('rl-long-0')?.id).toBe(a.id);
    s.recordRetrain(runId, {
      barTime: 9,
      agent: 'rl-long-0',
      championId: a.id,
      challengerId: b.id,
      championScore: 0.1,
      challengerScore: 0.2,
      promoted: true,
      reason: 'challenger better on holdout',
    });
    expect(s.championCheckpoint('rl-long-0')?.id).toBe(b.id);
    expect(s.listRetrains(runId)[0]?.promoted).toBe(true);
    s.close();
  });

  it('keeps position snapshots, equity series, metrics and notes', () => {
    const s = RunStore.open(dir());
    const runId = s.createRun({ kind: 'paper' });
    s.snapshotPositions(runId, 1, [{ symbol: 'AA', qty: 3, avgEntryPrice: 1, marketValue: 3 }]);
    s.snapshotPositions(runId, 2, []);
    expect(s.latestPositions(runId)).toEqual({ barTime: 2, positions: [] });
    s.appendEquity(runId, 'paper/account', [
      { t: 1, value: 100 },
      { t: 2, value: 101, exposure: 0.5 },
    ]);
    expect(s.equitySeries(runId).get('paper/account')).toHaveLength(2);
    s.saveMetrics(runId, 'paper', 'account', { sharpe: 1 });
    s.setNote(runId, 'budget', { ppo: 1 });
    expect(s.getNotes(runId)).toEqual({ budget: { ppo: 1 } });
    expect(s.listMetrics(runId)[0]?.metrics).toEqual({ sharpe: 1 });
    s.close();
  });
});
