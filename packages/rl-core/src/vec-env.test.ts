import { describe, expect, it } from 'vitest';
import type { Env, StepResult } from './env.js';
import { box, discrete } from './spaces.js';
import { DummyVecEnv, isVecEnv, toVecEnv } from './vec-env.js';

/** Counts steps; terminates at `terminateAt`, truncates at `truncateAt`. obs = [seed, t]. */
class CounterEnv implements Env<Float32Array, number> {
  readonly observationSpace = box({ shape: [2], low: -1e9, high: 1e9 });
  readonly actionSpace = discrete(2);
  private t = 0;
  private seed = -1;
  constructor(
    private readonly terminateAt: number,
    private readonly truncateAt: number,
  ) {}
  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) this.seed = options.seed;
    this.t = 0;
    return { obs: Float32Array.from([this.seed, 0]), info: {} };
  }
  step(action: number): StepResult {
    this.t++;
    return {
      obs: Float32Array.from([this.seed, this.t]),
      reward: action,
      terminated: this.t === this.terminateAt,
      truncated: this.t === this.truncateAt,
      info: {},
    };
  }
}

describe('DummyVecEnv', () => {
  it('seeds env i with seed + i, auto-resets and keeps the terminal observation', () => {
    const venv = new DummyVecEnv([() => new CounterEnv(2, 99), new CounterEnv(99, 3)]);
    expect(Array.from(venv.reset({ seed: 10 }).obs)).toEqual([10, 0, 11, 0]);
    let r = venv.step([1, 0]);
    expect(Array.from(r.obs)).toEqual([10, 1, 11, 1]);
    expect(r.infos[0]!.terminalObs).toBeUndefined();
    r = venv.step([1, 1]); // env 0 terminates at t=2
    expect(Array.from(r.terminated)).toEqual([1, 0]);
    expect(Array.from(r.obs)).toEqual([10, 0, 11, 2]);
    expect(Array.from(r.infos[0]!.terminalObs!)).toEqual([10, 2]);
    expect(r.infos[0]!.episode).toEqual({ reward: 2, length: 2 });
    r = venv.step([0, 1]); // env 1 truncates at t=3
    expect(Array.from(r.truncated)).toEqual([0, 1]);
    expect(Array.from(r.terminated)).toEqual([0, 0]);
    expect(Array.from(r.infos[1]!.terminalObs!)).toEqual([11, 3]);
    expect(Array.from(r.obs)).toEqual([10, 1, 11, 0]);
    expect(r.infos[1]!.episode).toEqual({ reward: 2, length: 3 });
    expect(() => venv.step([1])).toThrow(/2 envs/);
  });

  it('wraps a single env', () => {
    const env = new CounterEnv(5, 9);
    const venv = toVecEnv(env);
    expect(isVecEnv(env)).toBe(false);
    expect(isVecEnv(venv)).toBe(true);
    expect(venv.nEnvs).toBe(1);
    expect(toVecEnv(venv)).toBe(venv);
  });
});
