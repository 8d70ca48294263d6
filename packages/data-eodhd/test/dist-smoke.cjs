// CJS half of the dist smoke test: require() of the built package under plain node.
const assert = require('node:assert/strict');
const { createEodhdClient, EodhdError } = require('@marlts/data-eodhd');
const { startFakeEodhd } = require('@marlts/data-eodhd/testing');

(async () => {
  const now = Date.parse('2026-06-15T12:00:00Z');
  const fake = await startFakeEodhd({
    now: () => now,
    faults: [{ kind: 'status', status: 429, retryAfterSec: 0 }],
  });
  try {
    const client = createEodhdClient({ apiToken: fake.token, baseUrl: fake.url, now: () => now });
    const bars = await client.intraday('MSFT.US', { interval: '5m', from: '2026-03-02', to: '2026-03-07' });
    assert.ok(bars.length > 300, `bars: ${bars.length}`);
    assert.deepEqual(
      fake.requests.map((r) => r.status),
      [429, 200],
      'the 429 was retried',
    );
    const symbols = await client.exchangeSymbols('US');
    assert.ok(symbols.some((s) => s.symbol === 'AAPL.US'));
    await assert.rejects(
      createEodhdClient({ apiToken: 'wrong', baseUrl: fake.url }).eod('AAPL.US'),
      (e) => e instanceof EodhdError && e.code === 'AUTH',
    );
  } finally {
    await fake.close();
  }
  console.log('data-eodhd dist smoke (CJS): ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
