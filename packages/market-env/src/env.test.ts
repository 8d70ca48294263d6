import { describe, expect, it } from 'vitest';
import { readData } from '../test/paths.js';
import { MarketEnv } from './env.js';
import { isMarketEnvError } from './errors.js';
import { buildObservation } from './features.js';
import { frameFromCsv } from './frame.js';
import { computeMetrics } from './metrics.js';
import { shapedReward } from './rewards.js';
import { generateSyntheticFrame } from './synthetic.js';
import type { PriceFrame } from './types.js';

const dow = frameFromCsv(readData('dow30-10_daily_close_1991-2000.csv'), {
  symbols: ['AA', 'AXP', 'BA', 'CAT', 'GE', 'IBM', 'JPM', 'KO', 'MSFT', 'XOM'],
});
const msft = frameFromCsv(readData('msft_daily_ohlcv_2000-2001.csv'));
const syn = generateSyntheticFrame({ nAssets: 4, nBars: 400, seed: 3, model: 'regime' });

function copyFrame(f: PriceFrame): PriceFrame {
  return {
    ...f,
    times: f.times.slice(),
    open: f.open.slice(),
    high: f.high.slice(),
    low: f.low.slice(),
    close: f.close.slice(),
    volume: f.volume.slice(),
  };
}

// A deterministic "learned" policy that depends on the observation, so that any leak
// of future data into an observation would change later actions too.
function obsPolicy(obs: Float32Array, nAssets: number, role: 'long' | 'short' | 'long-short'): Float64Array {
  const w = new Float64Array(nAssets);
  for (let n = 0; n < nAssets; n++) {
    const x = Math.sin(1000 * obs[obs.length - 1 - n]! + 10 * obs[n]! + n);
    w[n] = role === 'long' ? Math.abs(x) / nAssets : role === 'short' ? -Math.abs(x) / nAssets : x / nAssets;
  }
  return w;
}

const fullAgents = [
  { kind: 'learned', role: 'long' },
  { kind: 'learned', role: 'short' },
  { kind: 'momentum' },
  { kind: 'mean-reversion' },
  { kind: 'market-maker' },
  { kind: 'buy-and-hold' },
  { kind: 'equal-weight' },
] as const;

describe('MarketEnv basics', () => {
  it('has stable ids, spaces and the documented observation layout', () => {
    const env = new MarketEnv({ frame: dow, agents: [...fullAgents], observation: { includeFlows: true } });
    expect(env.agentIds).toEqual(['rl-long-0', 'rl-short-0', 'mom-0', 'mean-0', 'mm-0', 'bh-0', 'ew-0']);
    expect(env.learnedAgentIds).toEqual(['rl-long-0', 'rl-short-0']);
    expect(env.obsDim).toBe(32 * 10 + 10 + 1 + 7 * 10);
    expect(Array.from(env.actionSpace('rl-short-0').low)).toEqual(new Array(10).fill(-1));
    expect(Array.from(env.actionSpace('rl-short-0').high)).toEqual(new Array(10).fill(0));
    expect(Array.from(env.actionSpace('mm-0').low)).toEqual(new Array(10).fill(-1));
    const { obs } = env.reset({ seed: 1 });
    expect(Object.keys(obs)).toEqual(env.agentIds);
    expect(obs['rl-long-0']).toHaveLength(env.obsDim);
    expect(obs['rl-long-0']![env.layout.cashOffset]).toBe(1);
  });

  it('runs an episode of the configured length and truncates at the end of the data', () => {
    const env = new MarketEnv({ frame: dow, episodeLength: 20 });
    env.reset({ seed: 5 });
    let steps = 0;
    let r: ReturnType<MarketEnv['step']>;
    do {
      r = env.step({ 'rl-long-0': new Array(10).fill(0.1) });
      steps++;
    } while (!r.truncated['rl-long-0']);
    expect(steps).toBe(20);
    expect(() => env.step({ 'rl-long-0': new Array(10).fill(0.1) })).toThrow(/episode is over/);

    const tail = new MarketEnv({ frame: dow, episodeLength: null, startIndex: dow.nBars - 4 });
    tail.reset();
    let n = 0;
    while (!tail.done) {
      tail.stepArrays(new Float64Array(10));
      n++;
    }
    expect(n).toBe(3);
    expect(tail.buffers.truncated).toBe(true);
  });

  it('rejects a window longer than the data, unknown options and bad actions with typed errors', () => {
    const short = frameFromCsv(
      readData('msft_daily_ohlcv_2000-2001.csv').split('\n').slice(0, 11).join('\n'),
    );
    try {
      new MarketEnv({ frame: short, window: 32 });
      expect.unreachable();
    } catch (e) {
      expect(isMarketEnvError(e, 'CONFIG') && e.field === 'window').toBe(true);
    }
    expect(() => new MarketEnv({ frame: dow, feeBps: -1 })).toThrow(/feeBps/);
    expect(() => new MarketEnv({ frame: dow, windw: 3 } as never)).toThrow(/windw|Unrecognized/);
    const extra = new Float64Array(dow.nBars * 10 * 2);
    expect(
      () => new MarketEnv({ frame: dow, observation: { extra: { values: extra, nFeatures: 3 } } }),
    ).toThrow(/observation.extra.values/);
    extra[(7 * 10 + 2) * 2 + 1] = Number.NaN;
    try {
      new MarketEnv({ frame: dow, observation: { extra: { values: extra, nFeatures: 2 } } });
      expect.unreachable();
    } catch (e) {
      expect(isMarketEnvError(e, 'DATA') && e.symbol === 'BA' && e.row === 7).toBe(true);
    }
    const env = new MarketEnv({ frame: dow });
    expect(() => env.step({ 'rl-long-0': new Array(10).fill(0) })).toThrow(/call reset/);
    env.reset();
    expect(() => env.step({})).toThrow(/missing action for rl-long-0/);
    expect(() => env.step({ 'mom-0': new Array(10).fill(0) })).toThrow(/its policy/);
    try {
      env.step({ 'rl-long-0': [Number.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
      expect.unreachable();
    } catch (e) {
      expect(isMarketEnvError(e, 'ACTION') && e.symbol === 'AA').toBe(true);
    }
  });
});

describe('intraday data', () => {
  it('annualises metrics with the bars per year of 30-min FX bars', () => {
    const text = readData('usdchf_30min_1996-04-01_5000-bars.csv').split('\n').slice(0, 4001).join('\n');
    const fx = frameFromCsv(text);
    const env = new MarketEnv({
      frame: fx,
      agents: [{ kind: 'learned', role: 'long-short' }, { kind: 'momentum' }],
      window: 48,
    });
    expect(env.barsPerYear).toBeGreaterThan(11_500);
    env.reset({ seed: 2 });
    while (!env.done) env.stepArrays([env.t % 2 ? 0.5 : -0.5]);
    const r = env.report('rl-ls-0');
    const daily = computeMetrics(r.equity, { barsPerYear: 252 });
    expect(r.sharpe / daily.sharpe).toBeCloseTo(Math.sqrt(env.barsPerYear / 252), 9);
    expect(r.borrowCostUsd).toBeGreaterThan(0);
  });
});

describe('timing: decide on the close of t, fill at bar t+1', () => {
  it('fills at the next open (OHLCV data) and marks at the next close', () => {
    const env = new MarketEnv({
      frame: msft,
      agents: [{ kind: 'learned' }],
      window: 5,
      startIndex: 10,
      feeBps: 0,
      impact: { coeff: 0 },
      reward: { kind: 'pnl' },
    });
    env.reset();
    const r = env.step({ 'rl-long-0': [1] });
    const o11 = msft.open[11]!;
    const c11 = msft.close[11]!;
    const shares = 100_000 / o11;
    const st = env.agentState('rl-long-0');
    expect(st.shares[0]).toBeCloseTo(shares, 9);
    expect(st.cash).toBeCloseTo(0, 6);
    expect(r.rewards['rl-long-0']).toBeCloseTo(shares * c11 - 100_000, 6);
    expect(r.infos['rl-long-0']!.t).toBe(11);
    // The next step earns the close-to-close move of bar 12 on the held shares.
    const r2 = env.step({ 'rl-long-0': [1] });
    expect(r2.rewards['rl-long-0']).toBeCloseTo(shares * (msft.close[12]! - c11), 6);
  });

  it('close-only data fills at the next close with impact from the net notional', () => {
    const env = new MarketEnv({
      frame: dow,
      agents: [{ kind: 'learned' }, { kind: 'learned' }],
      startIndex: 100,
      feeBps: 0,
      impact: { coeff: 1, liquidityUsd: 1e6, maxImpact: 0.5 },
    });
    env.reset();
    const w = [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    env.step({ 'rl-long-0': w, 'rl-long-1': w });
    const p = dow.close[101 * 10]!;
    const net = 2 * 50_000; // both buy $50k of AA
    const exec = p * (1 + net / (1e6 + 1));
    const st = env.agentState('rl-long-0');
    expect(st.shares[0]).toBeCloseTo(50_000 / p, 9);
    expect(st.cash).toBeCloseTo(100_000 - (50_000 / p) * exec, 6);
  });
});

describe('no look-ahead', () => {
  it('changing any bar after t leaves every observation, fill and reward up to t unchanged', () => {
    const frames = [syn, dow];
    for (const [fi, base] of frames.entries()) {
      const N = base.nAssets;
      for (let trial = 0; trial < 3; trial++) {
        const start = 40 + trial * 7;
        const t = start + 10 + trial * 5; // the bar after which the future is rewritten
        const run = (frame: PriceFrame) => {
          const extra = new Float64Array(frame.nBars * N);
          for (let i = 0; i < extra.length; i++) extra[i] = Math.cos(i) + frame.close[i]! * 1e-3;
          const env = new MarketEnv({
            frame,
            agents: [...fullAgents],
            window: 8,
            startIndex: start,
            episodeLength: 40,
            observation: { includeFlows: true, extra: { values: extra, nFeatures: 1 } },
            risk: { stopLoss: 0.05, takeProfit: 0.1, dailyLossLimit: 0.02, maxWeight: 0.5 },
          });
          const trace: number[] = [];
          env.resetArrays();
          trace.push(...env.buffers.obs);
          while (env.t < t) {
            const obs = env.buffers.obs;
            const a0 = obsPolicy(obs.subarray(0, env.obsDim), N, 'long');
            const a1 = obsPolicy(obs.subarray(env.obsDim, 2 * env.obsDim), N, 'short');
            const b = env.stepArrays(Float64Array.from([...a0, ...a1]));
            trace.push(...b.obs, ...b.rewards, ...b.values);
            for (const id of env.agentIds) trace.push(...env.agentState(id).shares, env.agentState(id).cash);
          }
          // The decisions made on the close of t itself (they fill at t + 1, which did change).
          const obs = env.buffers.obs;
          const a0 = obsPolicy(obs.subarray(0, env.obsDim), N, 'long');
          const a1 = obsPolicy(obs.subarray(env.obsDim, 2 * env.obsDim), N, 'short');
          const b = env.stepArrays(Float64Array.from([...a0, ...a1]));
          trace.push(...b.targets, ...b.holds);
          return trace;
        };
        const a = run(base);
        const changed = copyFrame(base);
        for (let i = (t + 1) * N; i < changed.close.length; i++) {
          const k = 1 + 0.3 * Math.sin(i * 7.1 + trial);
          changed.close[i] = changed.close[i]! * k;
          changed.open[i] = changed.open[i]! * (2 - k);
        }
        const b = run(changed);
        expect(b.length, `frame ${fi} trial ${trial}`).toBe(a.length);
        for (let i = 0; i < a.length; i++)
          if (!Object.is(a[i], b[i])) expect.fail(`frame ${fi} trial ${trial}: trace differs at ${i}`);
        // And the change does matter afterwards (the test can fail).
        const later = (frame: PriceFrame) => {
          const env = new MarketEnv({
            frame,
            agents: [{ kind: 'learned' }],
            window: 8,
            startIndex: t,
            episodeLength: 3,
          });
          env.reset();
          return env.stepArrays(new Float64Array(N).fill(1 / N)).rewards[0];
        };
        expect(later(changed)).not.toBe(later(base));
      }
    }
  });
});

describe('conservation', () => {
  it("an agent's value changes only by price moves, fees, impact and borrow", () => {
    const frame = generateSyntheticFrame({ nAssets: 5, nBars: 300, seed: 11, volatility: 0.3 });
    const env = new MarketEnv({
      frame,
      agents: [
        { kind: 'learned', role: 'long' },
        { kind: 'learned', role: 'short' },
        { kind: 'learned', role: 'long-short', grossLimit: 1.5 },
        { kind: 'momentum' },
        { kind: 'market-maker' },
      ],
      window: 10,
      feeBps: 7,
      impact: { coeff: 0.5, liquidityUsd: 2e6, maxImpact: 0.03 },
      borrowBpsPerYear: 300,
      episodeLength: 150,
      deadbandBps: 5,
      wholeShares: true,
    });
    env.reset({ seed: 2 });
    const N = 5;
    let checked = 0;
    while (!env.done) {
      const before = env.agentIds.map((id) => env.agentState(id));
      const t = env.t;
      const obs = env.buffers.obs;
      const acts = [
        ...obsPolicy(obs.subarray(0, env.obsDim), N, 'long'),
        ...obsPolicy(obs.subarray(env.obsDim), N, 'short'),
        ...obsPolicy(obs.subarray(2 * env.obsDim), N, 'long-short'),
      ];
      env.stepArrays(acts);
      for (const [a, id] of env.agentIds.entries()) {
        const s0 = before[a]!;
        const s1 = env.agentState(id);
        const info = env.info(a);
        expect(s1.active, `${id} liquidated`).toBe(true);
        let price = 0;
        for (let n = 0; n < N; n++) {
          const ref = frame.open[(t + 1) * N + n]!;
          price +=
            s0.shares[n]! * (ref - frame.close[t * N + n]!) +
            s1.shares[n]! * (frame.close[(t + 1) * N + n]! - ref);
        }
        const expected = price - info.feesUsd - info.impactCostUsd - info.borrowCostUsd;
        expect(s1.value - s0.value).toBeCloseTo(expected, 6);
        if (Number.isInteger(s1.shares[0]!)) checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    const rep = env.report('rl-short-0');
    expect(rep.borrowCostUsd).toBeGreaterThan(0);
    expect(rep.feesUsd).toBeGreaterThan(0);
    expect(rep.impactCostUsd).not.toBe(0);
  });
});

describe('determinism', () => {
  it('the same seed gives the same episode, another seed another start', () => {
    const run = (seed: number) => {
      const env = new MarketEnv({ synthetic: { nAssets: 3, model: 'regime' }, episodeLength: 30, window: 5 });
      const out: number[] = [...env.reset({ seed }).obs['rl-long-0']!];
      for (let i = 0; i < 30; i++) {
        const r = env.step({ 'rl-long-0': [0.2, 0.3, 0.1 * (i % 3)] });
        out.push(...Object.values(r.rewards), ...r.obs['mom-0']!);
      }
      return out;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    const a = new MarketEnv({ frame: dow });
    const b = new MarketEnv({ frame: dow });
    a.reset({ seed: 3 });
    b.reset({ seed: 3 });
    expect(a.episodeSpan.start).toBe(b.episodeSpan.start);
    const starts = new Set(
      [1, 2, 3, 4, 5].map((s) => {
        a.reset({ seed: s });
        return a.episodeSpan.start;
      }),
    );
    expect(starts.size).toBeGreaterThan(1);
  });
});

describe('observations', () => {
  it('equal buildObservation on the same closes (the live feature path)', () => {
    const env = new MarketEnv({ frame: dow, window: 16, observation: { includeFlows: true } });
    env.reset({ seed: 4 });
    for (let i = 0; i < 5; i++) env.step({ 'rl-long-0': [0.1, 0.2, 0, 0, 0.1, 0, 0, 0.3, 0, 0.1] });
    const t = env.t;
    const N = 10;
    const closes = dow.close.slice((t - 16) * N, (t + 1) * N);
    const flows = env.buffers.obs.slice(env.layout.flowsOffset, env.layout.flowsOffset + env.nAgents * N);
    const st = env.agentState('rl-long-0');
    const obs = buildObservation({
      closes,
      nAssets: N,
      window: 16,
      weights: st.weights,
      cashFraction: st.cash / st.value,
      flows,
    });
    expect(Array.from(obs)).toEqual(Array.from(env.buffers.obs.subarray(0, env.obsDim)));
    // returns block: the last row is log(close_t / close_{t-1})
    expect(obs[15 * N]).toBeCloseTo(Math.log(dow.close[t * N]! / dow.close[(t - 1) * N]!), 6);
  });
});

describe('rewards', () => {
  it('shaped reward = base + coop − comp over all agents (architecture.md)', () => {
    const env = new MarketEnv({ frame: syn, window: 8, agents: [...fullAgents] });
    env.reset({ seed: 1 });
    for (let i = 0; i < 5; i++) {
      const prev = env.buffers.values.slice();
      const b = env.stepArrays(new Float64Array(8).fill(0.1));
      const base = b.values.map((v, a) => v - prev[a]!);
      const expected = new Float64Array(env.nAgents);
      shapedReward(b.values, base, 0.05, 0.1, expected);
      for (let a = 0; a < env.nAgents; a++) expect(b.rewards[a]).toBeCloseTo(expected[a]!, 9);
    }
  });

  it('pnl, log-return and differential Sharpe, with scaling', () => {
    const mk = (kind: 'pnl' | 'log-return' | 'differential-sharpe', scale = 1) => {
      const env = new MarketEnv({
        frame: syn,
        window: 8,
        agents: [{ kind: 'learned' }],
        startIndex: 50,
        reward: { kind, scale },
      });
      env.reset();
      const out: number[] = [];
      for (let i = 0; i < 20; i++) {
        const v0 = env.buffers.values[0]!;
        const r = env.stepArrays([0.5, 0.2, 0.1, 0.1]).rewards[0]!;
        out.push(r, v0, env.buffers.values[0]!);
      }
      return out;
    };
    const pnl = mk('pnl');
    const pnlScaled = mk('pnl', 1e-4);
    const lr = mk('log-return');
    const dsr = mk('differential-sharpe');
    for (let i = 0; i < 20; i++) {
      const [r, v0, v1] = pnl.slice(3 * i, 3 * i + 3) as [number, number, number];
      expect(r).toBeCloseTo(v1 - v0, 8);
      expect(pnlScaled[3 * i]).toBeCloseTo(r * 1e-4, 12);
      expect(lr[3 * i]).toBeCloseTo(Math.log(v1 / v0), 12);
      expect(Number.isFinite(dsr[3 * i]!)).toBe(true);
    }
    expect(dsr.slice(3).some((x, i) => i % 3 === 0 && x !== 0)).toBe(true);
  });
});

describe('shorting and margin', () => {
  it('liquidates a short agent that breaches maintenance and ends its episode', () => {
    // A price that doubles: a fully short agent hits the 25 % maintenance margin.
    const T = 60;
    // It opens where it closed the day before and jumps intraday, so a rebalancing short
    // cannot escape at the open.
    const close = new Float64Array(T).map((_, t) => (t < 20 ? 100 : t === 20 ? 150 : t === 21 ? 250 : 260));
    const open = new Float64Array(T).map((_, t) => (t === 0 ? 100 : close[t - 1]!));
    const frame: PriceFrame = {
      symbols: ['UP'],
      nAssets: 1,
      nBars: T,
      times: new Float64Array(T).map((_, t) => Date.UTC(2020, 0, 1) + t * 86_400_000),
      open,
      high: close.slice(),
      low: close.slice(),
      close,
      volume: new Float64Array(T),
      filledCells: 0,
    };
    const env = new MarketEnv({
      frame,
      agents: [{ kind: 'learned', role: 'short' }, { kind: 'buy-and-hold' }],
      window: 3,
      startIndex: 15,
      episodeLength: null,
      feeBps: 0,
      impact: { coeff: 0 },
    });
    env.reset();
    let liquidatedAt = -1;
    for (let i = 0; i < 40 && !env.done; i++) {
      const r = env.step({ 'rl-short-0': [-1] });
      if (r.terminated['rl-short-0'] && liquidatedAt < 0) {
        liquidatedAt = env.t;
        const st = env.agentState('rl-short-0');
        expect(st.active).toBe(false);
        expect(st.shares[0]).toBe(0);
        // Rebalanced to −100 % at the open o, equity/short value at the close p is
        // (2o − p)/p < 0.25 ⇔ p/o > 1.6: bar 20 (+50 %) is survived, bar 21 (+67 %) is not.
        expect(env.t).toBe(21);
        expect(st.value).toBeGreaterThan(0);
      } else if (liquidatedAt >= 0) {
        expect(r.rewards['rl-short-0']).toBe(0);
        expect(r.terminated['rl-short-0']).toBe(true);
      }
    }
    expect(liquidatedAt).toBeGreaterThan(0);
    expect(env.report('rl-short-0').liquidated).toBe(true);
  });

  it('short agents keep the proceeds in cash and respect the gross limit', () => {
    const env = new MarketEnv({
      frame: dow,
      agents: [{ kind: 'learned', role: 'short', grossLimit: 0.5 }],
      startIndex: 200,
      feeBps: 0,
      impact: { coeff: 0 },
    });
    env.reset();
    env.step({ 'rl-short-0': new Array(10).fill(-1) });
    const st = env.agentState('rl-short-0');
    const gross = st.weights.reduce((s, w) => s + Math.abs(w), 0);
    expect(st.weights.every((w) => w <= 0)).toBe(true);
    expect(gross).toBeGreaterThan(0.45);
    expect(gross).toBeLessThan(0.55);
    expect(st.cash).toBeCloseTo(100_000 + 50_000, -1);
  });
});

describe('dead-band and whole shares', () => {
  it('skips small trades and rounds to whole shares', () => {
    const env = new MarketEnv({
      frame: dow,
      agents: [{ kind: 'learned' }],
      startIndex: 300,
      deadbandBps: 50,
      wholeShares: true,
      impact: { coeff: 0 },
    });
    env.reset();
    env.step({ 'rl-long-0': [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1] });
    const a = env.agentState('rl-long-0');
    expect(a.shares.every((s) => Number.isInteger(s) && s > 0)).toBe(true);
    // A 0.2 % nudge of one weight is under the 50 bps band: no trade.
    const w = Array.from(a.weights);
    w[0] = w[0]! + 0.002;
    const r = env.step({ 'rl-long-0': w });
    expect(Array.from(env.agentState('rl-long-0').shares)).toEqual(Array.from(a.shares));
    expect(r.infos['rl-long-0']!.feesUsd).toBe(0);
    // Opening and closing are never too small: a 0.2 % entry in a flat asset, and a close to zero.
    const held = Array.from(env.agentState('rl-long-0').weights);
    const next = held.slice();
    next[1] = 0;
    env.step({ 'rl-long-0': next });
    expect(env.agentState('rl-long-0').shares[1]).toBe(0);
    next[1] = 0.002;
    env.step({ 'rl-long-0': next });
    expect(env.agentState('rl-long-0').shares[1]).toBeGreaterThan(0);
  });
});

describe('risk rules in the env', () => {
  it('caps weights, stops out losing positions and blocks entries after a daily loss', () => {
    const T = 40; // hourly bars: day 1 is bars 0–23, day 2 starts at bar 24
    // Asset 0 falls 3 % a bar from bar 10, asset 1 is flat.
    const close = new Float64Array(T * 2);
    for (let t = 0; t < T; t++) {
      close[2 * t] = t < 10 ? 50 : 50 * 0.97 ** (t - 9);
      close[2 * t + 1] = 20;
    }
    const frame: PriceFrame = {
      symbols: ['DN', 'FLAT'],
      nAssets: 2,
      nBars: T,
      times: new Float64Array(T).map((_, t) => Date.UTC(2020, 0, 1) + t * 3_600_000),
      open: close.slice(),
      high: close.slice(),
      low: close.slice(),
      close,
      volume: new Float64Array(T * 2),
      filledCells: 0,
    };
    const env = new MarketEnv({
      frame,
      agents: [
        { kind: 'learned', risk: { maxWeight: 0.4, stopLoss: 0.08 } },
        { kind: 'learned', risk: { dailyLossLimit: 0.01 } },
      ],
      window: 3,
      startIndex: 8,
      episodeLength: 20,
      feeBps: 0,
      impact: { coeff: 0 },
    });
    env.reset();
    const act = { 'rl-long-0': [0.9, 0], 'rl-long-1': [0.5, 0] };
    env.step(act);
    expect(env.agentState('rl-long-0').weights[0]).toBeCloseTo(0.4, 9);
    let stopped = -1;
    for (let i = 0; i < 8; i++) {
      env.step(act);
      if (stopped < 0 && env.agentState('rl-long-0').shares[0] === 0) stopped = env.t;
    }
    // Entry at 50 on bar 9, −8 % seen on the close of bar 12 (50·0.97³ = 45.6), closed at bar 13.
    expect(stopped).toBe(13);
    // Agent 1 lost > 1 % in a day: it may not add to its position, only keep or reduce it.
    const s1 = env.agentState('rl-long-1');
    expect(s1.dailyStopActive).toBe(true);
    env.step({ 'rl-long-0': [0, 0], 'rl-long-1': [0.5, 0.5] });
    expect(env.agentState('rl-long-1').shares[1]).toBe(0);
    expect(env.agentState('rl-long-1').shares[0]).toBeLessThanOrEqual(s1.shares[0]! + 1e-9);
    // The block lasts for the rest of the UTC day only: the first fill of day 2 (bar 24) may enter.
    while (env.t < 23) {
      env.step({ 'rl-long-0': [0, 0], 'rl-long-1': [0.5, 0.5] });
      expect(env.agentState('rl-long-1').shares[1]).toBe(0);
    }
    expect(env.agentState('rl-long-1').dailyStopActive).toBe(false);
    env.step({ 'rl-long-0': [0, 0], 'rl-long-1': [0.5, 0.5] });
    expect(env.agentState('rl-long-1').shares[1]).toBeGreaterThan(0);
  });
});

describe('metrics and baselines', () => {
  it('reports per-agent metrics and costs, and baselines on the same bars', () => {
    const env = new MarketEnv({ frame: dow, agents: [...fullAgents], episodeLength: 100 });
    env.reset({ seed: 9 });
    while (!env.done) env.stepArrays(new Float64Array(20).fill(0.05).map((x, i) => (i >= 10 ? -x : x)));
    const reports = env.reports();
    expect(reports.map((r) => r.agentId)).toEqual(env.agentIds);
    for (const r of reports) {
      expect(r.equity).toHaveLength(101);
      expect(Number.isFinite(r.sharpe)).toBe(true);
      expect(r.maxDrawdown).toBeGreaterThanOrEqual(0);
    }
    const { buyAndHold, equalWeight } = env.baselines();
    expect(buyAndHold.equity).toHaveLength(101);
    expect(equalWeight.equity).toHaveLength(101);
    // The bh-0 agent trades with impact, the baseline alone without; they stay close.
    const bh = env.report('bh-0');
    expect(Math.abs(bh.totalReturn - buyAndHold.totalReturn)).toBeLessThan(0.01);
    expect(bh.tradedNotionalUsd).toBeGreaterThan(0);
  });
});
