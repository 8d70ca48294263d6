// Paper-exchange throughput on the BUILT package: replay 10 symbols of real S&P 500 daily OHLCV
// (5,105 bars each, renamed) while a client sends 10 market orders over HTTP every 10 steps.
// Last stdout line: one JSON object.
import { readFileSync } from 'node:fs';
import { parseBarsCsv, startPaperExchange } from '@marlts/broker-alpaca/sim';

const base = parseBarsCsv(
  readFileSync(new URL('../test/fixtures/sp500_daily_ohlcv_2000-2020.csv', import.meta.url), 'utf8'),
);
const symbols = Array.from({ length: 10 }, (_, i) => `S${i}`);
const bars = symbols.flatMap((symbol) => base.map((b) => ({ ...b, symbol })));
const headers = { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's', 'content-type': 'application/json' };

const t0 = performance.now();
const ex = await startPaperExchange({ bars, rateLimitPerMinute: 0, initialCash: 1e12 });
const startupMs = performance.now() - t0;
let orders = 0;
const t1 = performance.now();
for (let step = 0; !ex.done; step++) {
  if (step % 10 === 0) {
    await Promise.all(
      symbols.map((symbol) =>
        fetch(`${ex.url}/v2/orders`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ symbol, qty: '1', side: 'buy', type: 'market', time_in_force: 'day' }),
        }).then((r) => {
          if (r.status !== 200) throw new Error(`order ${r.status}`);
          orders++;
        }),
      ),
    );
  }
  ex.advance();
}
const replayMs = performance.now() - t1;
const fills = ex.state().fills.length;
await ex.close();
console.log(
  JSON.stringify({
    bench: 'broker-alpaca/sim',
    bars: bars.length,
    steps: base.length,
    orders,
    fills,
    startupMs: Math.round(startupMs),
    replayMs: Math.round(replayMs),
    stepsPerSec: Math.round(base.length / (replayMs / 1000)),
    ordersPerSec: Math.round(orders / (replayMs / 1000)),
  }),
);
