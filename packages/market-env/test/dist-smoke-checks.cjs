// The checks of the dist smoke test, shared by its ESM and CJS halves: each half loads the
// BUILT package in its own module system and hands it here. Parses a small CSV, builds a
// frame, steps a MarketEnv and checks that cash + holdings add up (conservation).
const assert = require('node:assert/strict');

/** @param {typeof import('@marlts/market-env')} mod the package as loaded by the caller */
function checkMarketEnv({ frameFromCsv, isMarketEnvError, MarketEnv, marketStep }) {
  const lines = ['symbol,date,open,high,low,close,volume'];
  for (let d = 0; d < 40; d++) {
    const date = new Date(Date.UTC(2021, 0, 1 + d)).toISOString().slice(0, 10);
    lines.push(`AAA,${date},${100 + d},${101 + d},${99 + d},${100.5 + d},1000`);
    lines.push(`BBB,${date},${50 - d / 2},${51 - d / 2},${49 - d / 2},${50.2 - d / 2},2000`);
  }
  const frame = frameFromCsv(lines.join('\n'), { file: 'smoke.csv' });
  assert.equal(frame.nBars, 40);
  const env = new MarketEnv({
    frame,
    window: 5,
    episodeLength: 10,
    feeBps: 0,
    borrowBpsPerYear: 0,
    impact: { coeff: 0 },
  });
  env.reset({ seed: 1 });
  const before = env.agentState('rl-long-0');
  env.step({ 'rl-long-0': [0.6, 0.4] });
  const after = env.agentState('rl-long-0');
  const t = env.t;
  // All cash before; after: cash + shares·open(t) = 100k (fill at the open, no costs)
  const atOpen = after.cash + after.shares[0] * frame.open[t * 2] + after.shares[1] * frame.open[t * 2 + 1];
  assert.ok(Math.abs(atOpen - before.value) < 1e-6, `conservation: ${atOpen} vs ${before.value}`);
  const atClose =
    after.cash + after.shares[0] * frame.close[t * 2] + after.shares[1] * frame.close[t * 2 + 1];
  assert.ok(Math.abs(atClose - after.value) < 1e-6);
  const r = marketStep({
    priceT: [100, 50],
    priceT1: [101, 49],
    cash: [1e5, 1e5, 1e5, 1e5],
    shares: [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ],
    weights: [
      [0.5, 0.5],
      [0.3, 0.7],
      [0.05, 0.95],
      [0.6, 0.4],
    ],
    impactCoeff: 0,
    liquidity: [1e6, 1e6],
    maxImpact: 0.05,
    feeRate: 0,
    coopWeight: 0.05,
    compWeight: 0.1,
  });
  assert.ok(Math.abs(r.shapedReward[3] - -199.88697759032698) < 1e-9);
  try {
    frameFromCsv('symbol,date,close\nAAA,2021-01-01,-1\n');
    assert.fail('expected a DATA error');
  } catch (e) {
    assert.ok(isMarketEnvError(e, 'DATA') && e.symbol === 'AAA' && e.row === 2, String(e));
  }
}

module.exports = { checkMarketEnv };
