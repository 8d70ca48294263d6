import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFrame, MarketEnv, parseBarsCsv } from '@marlts/market-env';
import { describe, expect, it } from 'vitest';
import { driftSleeve } from './drift-sleeve.js';

// Real MSFT daily OHLCV committed with the tests (provenance and licence: test/fixtures/README.md).
const FIXTURES = join(import.meta.dirname, '../../test/fixtures');

describe('driftSleeve', () => {
  it('reproduces the weights market-env shows an agent after its order filled at the next open', () => {
    // Real OHLC data, so fills (next open) and marks (close) differ; no costs so only prices move weights.
    const file = join(FIXTURES, 'msft_daily_ohlcv_2000-2001.csv');
    const frame = buildFrame(parseBarsCsv(readFileSync(file, 'utf8'), { file }));
    const env = new MarketEnv({
      frame,
      agents: [{ id: 'rl-long-0', kind: 'learned', role: 'long' }],
      window: 8,
      episodeLength: 20,
      randomStart: false,
      startIndex: 10,
      feeBps: 0,
      impact: { coeff: 0 },
      seed: 0,
    });
    let { obs } = env.reset({ seed: 0 });
    const cashAt = (o: Float32Array) => o[env.layout.cashOffset]!;
    const weightAt = (o: Float32Array) => o[env.layout.weightsOffset]!;
    for (let k = 0; k < 5; k++) {
      const target = [0.3 + 0.1 * k];
      const t = env.t; // decision bar
      ({ obs } = env.step({ 'rl-long-0': target }));
      const fill = [frame.open[t + 1]!];
      const mark = [frame.close[t + 1]!];
      const drifted = driftSleeve(target, fill, mark);
      expect(fill[0]).not.toBe(mark[0]);
      expect(weightAt(obs['rl-long-0']!)).toBeCloseTo(drifted.weights[0]!, 5);
      expect(cashAt(obs['rl-long-0']!)).toBeCloseTo(drifted.cashFraction, 5);
    }
  });

  it('leaves weights as they are when no fill price is known yet, and handles short sleeves', () => {
    expect(driftSleeve([0.5, 0.2], undefined, [1, 1])).toEqual({
      weights: [0.5, 0.2],
      cashFraction: 0.30000000000000004,
    });
    const short = driftSleeve([-0.5], [100], [110]); // the shorted asset rose 10 %
    expect(short.weights[0]).toBeCloseTo(-0.55 / 0.95, 12);
    expect(short.cashFraction).toBeCloseTo(1.5 / 0.95, 12);
  });
});
