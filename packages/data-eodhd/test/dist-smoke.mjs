// Runs the BUILT package under plain node (ESM): the fake server from
// `@marlts/data-eodhd/testing`, the real client from `@marlts/data-eodhd`.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEodhdClient, isEodhdError, parseBarsCsv } from '@marlts/data-eodhd';
import { startFakeEodhd } from '@marlts/data-eodhd/testing';

const now = Date.parse('2026-06-15T12:00:00Z');
const fake = await startFakeEodhd({ now: () => now });
const dir = await mkdtemp(join(tmpdir(), 'eodhd-smoke-'));
try {
  const lines = [];
  const logger = {
    debug: (m, f) => lines.push(m + JSON.stringify(f)),
    warn: (m, f) => lines.push(m + JSON.stringify(f)),
  };
  const client = createEodhdClient({
    apiToken: fake.token,
    baseUrl: fake.url,
    cache: { dir },
    now: () => now,
    logger,
  });
  const range = { interval: '1m', from: '2025-06-01', to: '2025-12-01' };
  const bars = await client.intraday('AAPL.US', range);
  assert.ok(bars.length > 40_000, `bars: ${bars.length}`);
  assert.ok(
    bars.every((b, i) => i === 0 || b.time > bars[i - 1].time),
    'sorted, unique',
  );
  assert.equal(fake.requests.length, 2, 'two 1m windows for six months');
  assert.equal(client.callsSpent, 10);
  await client.intraday('AAPL.US', range);
  assert.equal(fake.requests.length, 2, 'second request served from the cache');

  const eod = await client.eod('AAPL.US', { from: '2020-08-27', to: '2020-09-01' });
  assert.ok(eod.length === 4 && eod[0].adjustedClose < eod[0].close, 'eod raw + adjusted');

  fake.setFaults([{ kind: 'status', status: 402 }]);
  await assert.rejects(client.splits('AAPL.US'), (e) => isEodhdError(e, 'QUOTA_EXHAUSTED'));
  assert.ok(lines.length > 0 && lines.every((l) => !l.includes(fake.token)), 'token never logged');

  const csv = parseBarsCsv('symbol,date,open,high,low,close,volume\nAA,1991-01-02,,,,5.92,\n');
  assert.deepEqual(csv[0], {
    symbol: 'AA',
    time: Date.UTC(1991, 0, 2),
    open: 5.92,
    high: 5.92,
    low: 5.92,
    close: 5.92,
    volume: 0,
  });
} finally {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
}
console.log('data-eodhd dist smoke (ESM): ok');
