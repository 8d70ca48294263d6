import { describe, expect, it } from 'vitest';
import { type MarketEnvOptions, marketEnvOptionsSchema, parseMarketEnvOptions } from './config.js';
import { MarketEnv } from './env.js';
import { isMarketEnvError, type MarketEnvError } from './errors.js';
import { generateSyntheticFrame } from './synthetic.js';

const frame = generateSyntheticFrame({ nAssets: 3, nBars: 40, seed: 1 });

function thrown(f: () => unknown): MarketEnvError {
  try {
    f();
  } catch (e) {
    if (isMarketEnvError(e)) return e;
    throw e;
  }
  throw new Error('expected a MarketEnvError');
}

const where = (e: MarketEnvError) => ({
  code: e.code,
  field: e.field,
  symbol: e.symbol,
  row: e.row,
  message: e.message,
});

describe('options checked across fields by the schema', () => {
  const extra = new Float64Array(40 * 3 * 2).fill(0.5);
  extra[(7 * 3 + 1) * 2 + 1] = Number.POSITIVE_INFINITY;
  const cases: [MarketEnvOptions, Partial<ReturnType<typeof where>>][] = [
    [{}, { field: 'frame', message: 'MarketEnv: pass exactly one of `frame` and `synthetic`' }],
    [{ frame, synthetic: {} }, { field: 'frame' }],
    [
      { synthetic: {}, observation: { extra: { values: [1], nFeatures: 1 } } },
      { field: 'observation.extra' },
    ],
    [{ synthetic: { nAssets: 2, drifts: [0.1] } }, { field: 'synthetic.drifts' }],
    [{ synthetic: {}, episodeLength: null }, { field: 'episodeLength' }],
    [
      { frame, window: 39 },
      {
        field: 'window',
        message: 'window 39 is longer than the data allows: it needs at least 41 bars, the frame has 40',
      },
    ],
    [
      { frame, window: 5, startIndex: 4 },
      { field: 'startIndex', message: 'startIndex must be in [5, 38], got 4' },
    ],
    [
      { synthetic: {}, window: 5, episodeLength: 10, startIndex: 15 },
      { message: 'startIndex must be in [5, 14], got 15' },
    ],
    [
      { frame, agents: [{ kind: 'momentum' }, { kind: 'learned', id: 'mom-0' }] },
      { field: 'agents.1.id', message: 'duplicate agent id mom-0' },
    ],
    [
      { frame, observation: { extra: { values: [1, 2], nFeatures: 1 } } },
      { field: 'observation.extra.values' },
    ],
    [
      { frame, window: 8, observation: { extra: { values: extra, nFeatures: 2 } } },
      { code: 'DATA', field: 'observation.extra.values', symbol: 'SYN1', row: 7 },
    ],
    [{ frame, window: 8, observation: { kind: 'asset-features' } }, { field: 'observation.horizons' }],
    [{ frame, impact: { liquidityUsd: [1, 2] } }, { field: 'impact.liquidityUsd' }],
  ];

  it('parseMarketEnvOptions rejects what the constructor rejects, with the same error', () => {
    for (const [options, expected] of cases) {
      const fromParse = where(thrown(() => parseMarketEnvOptions(options)));
      expect(fromParse).toMatchObject({ code: 'CONFIG', ...expected });
      expect(where(thrown(() => new MarketEnv(options)))).toEqual(fromParse);
      const r = marketEnvOptionsSchema.safeParse(options);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path.join('.')).toBe(fromParse.field);
      expect(r.error!.issues[0]!.message).toBe(fromParse.message);
    }
  });

  it('reports the first problem in the constructor order; field errors come before all of them', () => {
    const first = (o: MarketEnvOptions) => thrown(() => parseMarketEnvOptions(o)).field;
    expect(first({ frame, window: 39, startIndex: 1 })).toBe('window');
    expect(
      first({
        frame,
        agents: [
          { kind: 'momentum', id: 'x' },
          { kind: 'momentum', id: 'x' },
        ],
        impact: { liquidityUsd: [1] },
      }),
    ).toBe('agents.1.id');
    expect(
      first({ frame, window: 8, observation: { kind: 'asset-features' }, impact: { liquidityUsd: [1] } }),
    ).toBe('observation.horizons');
    const e = thrown(() => parseMarketEnvOptions({ frame, synthetic: {}, feeBps: -1 }));
    expect([e.field, e.message]).toEqual([
      'feeBps',
      'MarketEnv option feeBps: Too small: expected number to be >=0',
    ]);
  });

  it('a parsed config builds an env', () => {
    const options: MarketEnvOptions = {
      frame,
      window: 5,
      startIndex: 38,
      impact: { liquidityUsd: [1e6, 2e6, 3e6] },
    };
    expect(marketEnvOptionsSchema.safeParse(options).success).toBe(true);
    expect(new MarketEnv(options).config.startIndex).toBe(38);
  });
});
