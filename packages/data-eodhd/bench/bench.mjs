// Benchmark on the BUILT package: a one-year 1m intraday request against the local
// fake (4 windows, ~98k bars): end-to-end time, then the same request from the cache,
// then CSV parsing of the largest committed data file (test/fixtures/csv). Last stdout line = one JSON object.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEodhdClient, parseBarsCsv } from '@marlts/data-eodhd';
import { startFakeEodhd } from '@marlts/data-eodhd/testing';

const now = Date.parse('2026-06-15T12:00:00Z');
const fake = await startFakeEodhd({ now: () => now });
const dir = await mkdtemp(join(tmpdir(), 'eodhd-bench-'));
const range = { interval: '1m', from: '2025-01-06', to: '2026-01-06' };
try {
  const client = createEodhdClient({
    apiToken: fake.token,
    baseUrl: fake.url,
    cache: { dir },
    now: () => now,
  });
  let t = performance.now();
  const bars = await client.intraday('AAPL.US', range);
  const networkMs = performance.now() - t;
  t = performance.now();
  await client.intraday('AAPL.US', range);
  const cachedMs = performance.now() - t;
  const csvPath = new URL('../test/fixtures/csv/dow30_daily_close_1991-2000.csv', import.meta.url);
  const text = await readFile(csvPath, 'utf8');
  t = performance.now();
  const csvBars = parseBarsCsv(text);
  const csvMs = performance.now() - t;
  const result = {
    intraday1mYearBars: bars.length,
    intraday1mYearWindows: fake.requests.length,
    intraday1mYearMs: Math.round(networkMs),
    intraday1mYearCachedMs: Math.round(cachedMs),
    barsPerSecondCached: Math.round(bars.length / (cachedMs / 1000)),
    csvDow30Rows: csvBars.length,
    csvDow30Ms: Math.round(csvMs),
  };
  console.log(JSON.stringify(result));
} finally {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
}
