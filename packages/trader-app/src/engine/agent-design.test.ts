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
import { loadLearner, marketOptions, SHORT_ID, trainingCosts } from './agents.js';

const config = parseConfig({ runDir: '/tmp/unused' });
const frame = generateSyntheticFrame({ nAssets: 3, nBars: 300, seed: 1 });

describe('agent design 2', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('observes per-asset features over the horizons that fit the window', () => {
    expect(observationOptions(config).horizons).toEqual([1, 5, 20, 60]);
    // 4 horizons, the weight, then the asset's one-hot (env.assetIdentity, on by default).
    expect(observationSize(config, 10)).toBe(10 * (5 + 10) + 1);
    const short = parseConfig({ runDir: '/tmp/unused', env: { windowBars: 8 } });
    expect(observationOptions(short).horizons).toEqual([1, 5]);
    const long = parseConfig({
      runDir: '/tmp/unused',
      env: { windowBars: 250, horizons: [250, 1, 20], assetIdentity: false },
    });
    expect(observationOptions(long).horizons).toEqual([250, 1, 20]);
    expect(observationSize(long, 10)).toBe(10 * 4 + 1);
    const env = new MarketEnv(
      marketOptions(frame, config, { seed: 1, episodeLength: 50, randomStart: true }),
    );
    expect(env.obsDim).toBe(observationSize(config, 3));
  });

  it('env.assetIdentity (default) ends each asset block with its one-hot; off, the encoders are universe-free', () => {
    expect(observationOptions(config).assetIdentity).toBe(true);
    const market = new MarketEnv(
      marketOptions(frame, config, { seed: 1, episodeLength: 50, randomStart: false }),
    );
    expect(market.obsDim).toBe(observationSize(config, 3));
    const obs = market.reset({ seed: 1 }).obs['rl-long-0']!;
    // Asset 1's block: 4 horizons, its weight, then the one-hot [0, 1, 0].
    expect(Array.from(obs.subarray(8 + 5, 8 + 8))).toEqual([0, 1, 0]);
    const off = parseConfig({ runDir: '/tmp/unused', env: { assetIdentity: false } });
    expect(observationSize(off, 10)).toBe(10 * 5 + 1);
    const plain = new MarketEnv(
      marketOptions(frame, off, { seed: 1, episodeLength: 50, randomStart: false }),
    );
    const zeros = () => [0, 0, 0];
    const longEnv = asSingleAgentEnv(plain, 'rl-long-0', { [SHORT_ID]: zeros });
    const items = { items: 3, itemDim: 5, globalDim: 1 };
    expect(ppoOptions(off, longEnv, { seed: 1, steps: 64 }).policy).toMatchObject({ items });
    // The same features, without the names.
    const named = Array.from(obs);
    const unnamed = Array.from(plain.reset({ seed: 1 }).obs['rl-long-0']!);
    expect(unnamed).toEqual([...named.slice(0, 5), ...named.slice(8, 13), ...named.slice(16, 21), named[24]]);
    // The flat window layout has no asset blocks to name.
    const flat = parseConfig({ runDir: '/tmp/unused', env: { observation: 'returns-window' } });
    expect(observationOptions(flat).assetIdentity).toBe(false);
  });

  it('train.sac.costScale makes only the short agent’s training market dearer; train.costScale both', () => {
    expect(trainingCosts(config, 'long')).toBe(config);
    // Default: the short agent trains on 10× the fees and impact.
    expect(trainingCosts(config, 'short').env.feeBps).toBe(50);
    const c = parseConfig({ runDir: '/tmp/unused', train: { costScale: 2, sac: { costScale: 3 } } });
    const long = trainingCosts(c, 'long');
    const short = trainingCosts(c, 'short');
    expect([long.env.feeBps, long.env.impactCoeff]).toEqual([10, 0.2]);
    expect(short.env.feeBps).toBe(30);
    expect(short.env.impactCoeff).toBeCloseTo(0.6, 12);
    const market = new MarketEnv(
      marketOptions(frame, short, { seed: 1, episodeLength: 50, randomStart: true }),
    );
    expect(market.config.feeBps).toBe(30);
    expect(c.env.feeBps).toBe(5);
    try {
      parseConfig({ runDir: '/tmp/unused', train: { sac: { costScale: 0.5 } } });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e, 'CONFIG')).toBe(true);
      expect((e as Error).message).toContain('train.sac.costScale');
    }
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
      const items = { items: nAssets, itemDim: 5 + nAssets, globalDim: 1 };
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
