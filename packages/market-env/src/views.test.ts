import { describe, expect, it } from 'vitest';
import { readData } from '../test/paths.js';
import { checkEnv } from './check-env.js';
import { MarketEnv } from './env.js';
import { isMarketEnvError } from './errors.js';
import { frameFromCsv } from './frame.js';
import { asSingleAgentEnv } from './single-agent.js';
import type { Env } from './types.js';
import { MarketVecEnv } from './vec-env.js';

const dow = frameFromCsv(readData('dow30-10_daily_close_1991-2000.csv'), {
  symbols: ['AA', 'AXP', 'BA', 'CAT', 'GE', 'IBM', 'JPM', 'KO', 'MSFT', 'XOM'],
});

const twoLearners = {
  frame: dow,
  window: 16,
  episodeLength: 30,
  agents: [
    { kind: 'learned', role: 'long' },
    { kind: 'learned', role: 'short' },
    { kind: 'momentum' },
    { kind: 'market-maker' },
  ],
} as const;

describe('asSingleAgentEnv', () => {
  it('trains one agent while the other learned agent follows a fixed policy', () => {
    const market = new MarketEnv({ ...twoLearners, agents: [...twoLearners.agents] });
    const seen: number[] = [];
    const env: Env = asSingleAgentEnv(market, 'rl-long-0', {
      'rl-short-0': (obs) => {
        seen.push(obs.length);
        return new Array(10).fill(-0.05);
      },
    });
    expect(env.actionSpace.kind === 'box' && env.actionSpace.shape).toEqual([10]);
    const { obs } = env.reset({ seed: 1 });
    expect(obs).toHaveLength(market.obsDim);
    let done = false;
    let steps = 0;
    while (!done) {
      const r = env.step(new Float32Array(10).fill(0.1));
      expect(Number.isFinite(r.reward)).toBe(true);
      done = r.terminated || r.truncated;
      steps++;
    }
    expect(steps).toBe(30);
    expect(seen.every((n) => n === market.obsDim)).toBe(true);
    expect(seen).toHaveLength(30);
    expect(market.agentState('rl-short-0').weights.every((w) => w <= 0)).toBe(true);
  });

  it('needs a policy for every other learned agent', () => {
    const market = new MarketEnv({ ...twoLearners, agents: [...twoLearners.agents] });
    try {
      asSingleAgentEnv(market, 'rl-long-0');
      expect.unreachable();
    } catch (e) {
      expect(isMarketEnvError(e, 'CONFIG')).toBe(true);
      expect((e as Error).message).toMatch(/rl-short-0/);
    }
    expect(() => asSingleAgentEnv(market, 'mom-0', {})).toThrow(/not a learned one/);
  });

  it('passes checkEnv (shapes, finiteness, no aliasing, determinism)', () => {
    const market = new MarketEnv({ frame: dow, window: 8, episodeLength: 20 });
    const report = checkEnv(asSingleAgentEnv(market, 'rl-long-0'), { nSteps: 50 });
    expect(report.errors).toEqual([]);
    expect(report.warnings.join()).toMatch(/not \[-1, 1\]/);
  });
});

describe('checkEnv catches broken envs', () => {
  it('reports aliasing, non-finite rewards and nondeterminism', () => {
    const buf = new Float32Array(3);
    let calls = 0;
    const broken: Env = {
      observationSpace: {
        kind: 'box',
        shape: [3],
        low: new Float32Array(3).fill(-10),
        high: new Float32Array(3).fill(10),
      },
      actionSpace: { kind: 'box', shape: [1], low: Float32Array.of(-1), high: Float32Array.of(1) },
      reset: () => ({ obs: buf, info: {} }),
      step: () => {
        calls++;
        buf[0] = calls % 7;
        return {
          obs: buf,
          reward: calls === 5 ? Number.NaN : Math.random(),
          terminated: false,
          truncated: false,
          info: {},
        };
      },
    };
    const r = checkEnv(broken, { nSteps: 10, throwOnError: false });
    expect(r.errors.some((e) => /modified in place/.test(e))).toBe(true);
    expect(r.errors.some((e) => /reward NaN/.test(e))).toBe(true);
    expect(() => checkEnv(broken, { nSteps: 10 })).toThrow(/checkEnv found/);
  });
});

describe('MarketVecEnv', () => {
  it('steps N copies on flat arrays with auto-reset and the terminal observation kept', () => {
    const vec = new MarketVecEnv({ nEnvs: 3, env: { frame: dow, window: 8, episodeLength: 5 } });
    const dim = vec.envs[0]!.obsDim;
    const { obs } = vec.reset({ seed: 10 });
    expect(obs).toHaveLength(3 * dim);
    // Copies are seeded seed + i: different start bars.
    const starts = new Set(vec.envs.map((e) => e.episodeSpan.start));
    expect(starts.size).toBeGreaterThan(1);
    const actions = new Float32Array(3 * 10).fill(0.1);
    let last: ReturnType<MarketVecEnv['step']> | undefined;
    for (let s = 0; s < 5; s++) last = vec.step(actions);
    expect(Array.from(last!.truncated)).toEqual([1, 1, 1]);
    for (let i = 0; i < 3; i++) {
      const info = last!.infos[i]!;
      expect(info.terminalObs).toHaveLength(dim);
      // the returned obs is the first of the next episode: all cash, no weights
      const o = last!.obs.subarray(i * dim, (i + 1) * dim);
      expect(o[vec.envs[0]!.layout.cashOffset]).toBe(1);
      expect(info.terminalObs![vec.envs[0]!.layout.cashOffset]).toBeLessThan(1);
      expect((info.episode as { report: { equity: Float64Array } }).report.equity).toHaveLength(6);
    }
    expect(() => vec.step(new Float32Array(5))).toThrow(/expected 30/);
  });

  it('is deterministic under a seed', () => {
    const run = () => {
      const vec = new MarketVecEnv({ nEnvs: 2, env: { frame: dow, window: 8, episodeLength: 7 } });
      const out: number[] = [...vec.reset({ seed: 3 }).obs];
      for (let s = 0; s < 12; s++) {
        const r = vec.step(new Float32Array(20).fill((s % 4) / 20));
        out.push(...r.obs, ...r.rewards);
      }
      return out;
    };
    expect(run()).toEqual(run());
  });
});
