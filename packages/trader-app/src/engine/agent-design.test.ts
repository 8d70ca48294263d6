import { asSingleAgentEnv, generateSyntheticFrame, MarketEnv } from '@marlts/market-env';
import { initBackend, Ppo, Sac } from '@marlts/rl-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../app-error.js';
import { parseConfig } from '../config.js';
import {
  assertAgentDesign,
  bookToTargets,
  observationOptions,
  observationSize,
  ppoOptions,
  sacOptions,
  shortBookEnv,
} from './agent-design.js';
import { loadLearner, marketOptions, SHORT_ID } from './agents.js';

const config = parseConfig({ runDir: '/tmp/unused' });
const frame = generateSyntheticFrame({ nAssets: 3, nBars: 300, seed: 1 });

describe('agent design 2', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('observes per-asset features over the horizons that fit the window', () => {
    expect(observationOptions(config).horizons).toEqual([1, 5, 20, 60]);
    expect(observationSize(config, 10)).toBe(10 * 5 + 1);
    const short = parseConfig({ runDir: '/tmp/unused', env: { windowBars: 8 } });
    expect(observationOptions(short).horizons).toEqual([1, 5]);
    const long = parseConfig({ runDir: '/tmp/unused', env: { windowBars: 250, horizons: [250, 1, 20] } });
    expect(observationOptions(long).horizons).toEqual([250, 1, 20]);
    expect(observationSize(long, 10)).toBe(10 * 4 + 1);
    const env = new MarketEnv(
      marketOptions(frame, config, { seed: 1, episodeLength: 50, randomStart: true }),
    );
    expect(env.obsDim).toBe(observationSize(config, 3));
  });

  it('turns book weights into targets: long as they are, short × −grossLimit, then the env rules', () => {
    expect(Array.from(bookToTargets('long', [0.5, 0.2, 0], 1))).toEqual([0.5, 0.2, 0]);
    expect(Array.from(bookToTargets('short', [0.5, 0.25, 0], 2))).toEqual([-1, -0.5, -0]);
  });

  it('the short agent trades weights in [0, 1] that the env receives negated', () => {
    const market = new MarketEnv(
      marketOptions(frame, config, { seed: 1, episodeLength: 50, randomStart: false }),
    );
    const view = asSingleAgentEnv(market, SHORT_ID, { 'rl-long-0': () => [0, 0, 0] });
    const env = shortBookEnv(view, 1);
    expect(Array.from(env.actionSpace.low)).toEqual([0, 0, 0]);
    expect(Array.from(env.actionSpace.high)).toEqual([1, 1, 1]);
    env.reset({ seed: 1 });
    env.step([0.3, 0, 0]);
    env.step([0.3, 0, 0]);
    expect(market.agentState(SHORT_ID).shares[0]!).toBeLessThan(0);
  });

  it('both agents score each asset with one shared network (per-item encoders), any universe size', () => {
    for (const nAssets of [3, 7]) {
      const f = generateSyntheticFrame({ nAssets, nBars: 200, seed: 2 });
      const market = new MarketEnv(
        marketOptions(f, config, { seed: 1, episodeLength: 50, randomStart: true }),
      );
      const zeros = () => new Array(nAssets).fill(0);
      const longEnv = asSingleAgentEnv(market, 'rl-long-0', { [SHORT_ID]: zeros });
      const shortEnv = shortBookEnv(asSingleAgentEnv(market, SHORT_ID, { 'rl-long-0': zeros }), 1);
      const items = { items: nAssets, itemDim: 5, globalDim: 1 };
      expect(ppoOptions(config, longEnv, { seed: 1, steps: 64 }).policy).toMatchObject({ items });
      const sac = sacOptions(config, shortEnv, { seed: 1, steps: 64 });
      expect(sac.policy).toMatchObject({ items, distribution: 'logistic-normal' });
      expect(sac).toMatchObject({ entCoef: config.train.sac.entCoef, targetEntropy: 'auto' });
      // The cash bias leaves the neutral short book train.sac.neutralGross (0.25) invested, any universe size.
      const c = sac.policy!.cashLogit!;
      expect(nAssets / (nAssets + Math.exp(c))).toBeCloseTo(config.train.sac.neutralGross, 10);
      // The checkpoint carries the layout and the bias, so a loaded model scores the same way.
      const model = new Sac(sac);
      const params = (model.save().config as { policy: unknown }).policy;
      expect(params).toMatchObject({ items, cashLogit: c });
      model.dispose();
    }
  });

  it('refuses a checkpoint of design 1 with a typed error naming its version; loads design 2', () => {
    const market = new MarketEnv(
      marketOptions(frame, config, { seed: 1, episodeLength: 50, randomStart: true }),
    );
    const env = asSingleAgentEnv(market, 'rl-long-0', { [SHORT_ID]: () => [0, 0, 0] });
    const old = new Ppo({ env, policy: { netArch: [8] } });
    try {
      loadLearner('ppo', old.save(), 'runs/a/checkpoints/rl-long-0-v1.json');
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e, 'CONFIG')).toBe(true);
      expect((e as Error).message).toMatch(/rl-long-0-v1.json: this PPO checkpoint is of agent design 1/);
    }
    const current = new Ppo(ppoOptions(config, env, { seed: 1, steps: 64 }));
    expect(() => assertAgentDesign('ppo', current.save(), 'x')).not.toThrow();
    loadLearner('ppo', current.save()).dispose();
    old.dispose();
    current.dispose();
  });
});
