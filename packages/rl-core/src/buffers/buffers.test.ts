import { describe, expect, it } from 'vitest';
import { computeGae } from '../gae.js';
import { Rng } from '../random.js';
import { ReplayBuffer } from './replay-buffer.js';
import { RolloutBuffer } from './rollout-buffer.js';

describe('RolloutBuffer', () => {
  it('stores [nSteps, nEnvs], runs GAE on what it stored, and yields each sample once per epoch', () => {
    const nSteps = 5;
    const nEnvs = 2;
    const buf = new RolloutBuffer({ nSteps, nEnvs, obsDim: 3, actDim: 1 });
    const rng = new Rng(0);
    const rewards: number[] = [];
    const values: number[] = [];
    const starts: number[] = [];
    for (let t = 0; t < nSteps; t++) {
      const r = [rng.normal(), rng.normal()];
      const v = [rng.normal(), rng.normal()];
      const s = t === 0 ? [1, 1] : [t === 3 ? 1 : 0, 0];
      rewards.push(...r);
      values.push(...v);
      starts.push(...s);
      buf.add({
        obs: Float32Array.from({ length: 6 }, (_, i) => t * 10 + i),
        actions: [t, -t],
        rewards: r,
        episodeStarts: s,
        values: v,
        logProbs: [-t, -t],
      });
    }
    expect(buf.full).toBe(true);
    expect(() =>
      buf.add({ obs: [], actions: [], rewards: [], episodeStarts: [], values: [], logProbs: [] }),
    ).toThrow(/full/);
    const last = { lastValues: [0.3, -0.2], dones: [0, 1], gamma: 0.9, gaeLambda: 0.8 };
    buf.computeReturnsAndAdvantage(last);
    const ref = computeGae({
      rewards: Float32Array.from(rewards),
      values: Float32Array.from(values),
      episodeStarts: starts,
      ...last,
      nSteps,
      nEnvs,
    });
    expect(Array.from(buf.advantages)).toEqual(Array.from(Float32Array.from(ref.advantages)));
    expect(Array.from(buf.returns)).toEqual(Array.from(Float32Array.from(ref.returns)));

    const seen: number[] = [];
    const batches = [...buf.minibatches(4, new Rng(1))];
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    for (const idx of batches) {
      const s = buf.gather(idx);
      idx.forEach((i, k) => {
        seen.push(i);
        expect(s.obs[k * 3]).toBe(buf.obs[i * 3]);
        expect(s.advantages[k]).toBe(buf.advantages[i]);
        expect(s.oldLogProb[k]).toBe(buf.logProbs[i]);
      });
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('ReplayBuffer', () => {
  it('wraps around, overwriting the oldest transitions, and samples only stored ones', () => {
    const rb = new ReplayBuffer({ capacity: 5, obsDim: 2, actDim: 1 });
    for (let i = 0; i < 7; i++) rb.add([i, i], [i / 10], i, [i + 1, i + 1], i === 6);
    expect(rb.size).toBe(5);
    expect(rb.pos).toBe(2);
    expect(rb.at(0)).toMatchObject({ reward: 5, done: false });
    expect(rb.at(1)).toMatchObject({ reward: 6, done: true });
    expect(Array.from(rb.at(1).nextObs)).toEqual([7, 7]);
    expect(rb.at(2).reward).toBe(2);
    const s = rb.sample(64, new Rng(2));
    const rewards = new Set(s.rewards);
    for (const r of rewards) expect([2, 3, 4, 5, 6]).toContain(r);
    expect(rewards.size).toBe(5);
    for (let b = 0; b < 64; b++) {
      expect(s.obs[b * 2]).toBe(s.rewards[b]);
      expect(s.nextObs[b * 2]).toBe(s.rewards[b]! + 1);
      expect(s.dones[b]).toBe(s.rewards[b] === 6 ? 1 : 0);
    }
  });

  it('getState/setState copy a wrapped ring exactly and reject a buffer of another shape', () => {
    const rb = new ReplayBuffer({ capacity: 5, obsDim: 2, actDim: 1 });
    for (let t = 0; t < 7; t++) rb.add([t, -t], [t / 10], t, [t + 1, -t - 1], t === 6);
    const state = rb.getState();
    expect([state.size, state.pos]).toEqual([5, 2]);
    const copy = new ReplayBuffer({ capacity: 5, obsDim: 2, actDim: 1 });
    copy.setState(state);
    expect([copy.size, copy.pos]).toEqual([5, 2]);
    for (let i = 0; i < 5; i++) expect(copy.at(i)).toEqual(rb.at(i));
    const other = new ReplayBuffer({ capacity: 5, obsDim: 3, actDim: 1 });
    expect(() => other.setState(state)).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT', field: 'replayBuffer.obsDim' }),
    );
    expect(other.size).toBe(0);
    const nan = { ...state, rewards: state.rewards.map((r, i) => (i === 3 ? Number.NaN : r)) };
    expect(() => copy.setState(nan)).toThrow(/rewards has a non-finite value at \[3\]/);
  });

  it('grows its storage geometrically up to the capacity', () => {
    const rb = new ReplayBuffer({ capacity: 10_000, obsDim: 1, actDim: 1 });
    for (let i = 0; i < 5000; i++) rb.add([i], [0], i, [i], false);
    expect(rb.size).toBe(5000);
    expect(rb.at(4999).reward).toBe(4999);
    expect(rb.at(0).reward).toBe(0);
  });
});
