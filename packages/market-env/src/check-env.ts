/**
 * `checkEnv`: checks that an env honours the single-agent `Env` contract, in the spirit of
 * Stable-Baselines3's `common/env_checker.py`: spaces are well-formed, reset/step return the
 * right shapes and types, values are finite, observations are not aliased between steps,
 * the same seed and actions replay the same episode.
 */
import { MarketEnvError } from './errors.js';
import { Rng } from './random.js';
import type { Env, Space } from './types.js';

export interface CheckEnvOptions {
  /** Steps to run per rollout (default 64). */
  nSteps?: number;
  seed?: number;
  /** Throw a `CHECK` error when a problem is found (default true). */
  throwOnError?: boolean;
}

export interface CheckEnvReport {
  errors: string[];
  warnings: string[];
}

function size(space: Space): number {
  return space.kind === 'discrete' ? 1 : space.shape.reduce((a, b) => a * b, 1);
}

function checkSpace(name: string, space: Space, errors: string[]): void {
  if (space.kind === 'discrete') {
    if (!(Number.isInteger(space.n) && space.n >= 1))
      errors.push(`${name}: Discrete n must be a positive integer`);
    return;
  }
  if (space.kind !== 'box') {
    errors.push(`${name}: kind must be 'box' or 'discrete'`);
    return;
  }
  const n = size(space);
  if (!(space.low instanceof Float32Array) || !(space.high instanceof Float32Array)) {
    errors.push(`${name}: low/high must be Float32Array`);
  }
  if (space.low.length !== n || space.high.length !== n) errors.push(`${name}: low/high length must be ${n}`);
  for (let i = 0; i < Math.min(n, space.low.length, space.high.length); i++) {
    if (!(space.low[i]! <= space.high[i]!)) {
      errors.push(`${name}: low[${i}] > high[${i}]`);
      break;
    }
  }
}

function sample(space: Space, rng: Rng): Float32Array {
  const n = space.kind === 'box' ? size(space) : 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (space.kind === 'discrete') out[i] = rng.int(space.n);
    else {
      const lo = space.low[i]!;
      const hi = space.high[i]!;
      out[i] = Number.isFinite(lo) && Number.isFinite(hi) ? rng.uniform(lo, hi) : rng.normal();
    }
  }
  return out;
}

function checkObs(where: string, obs: unknown, dim: number, space: Space, errors: string[]): void {
  if (!(obs instanceof Float32Array)) {
    errors.push(`${where}: obs must be a Float32Array`);
    return;
  }
  if (obs.length !== dim) errors.push(`${where}: obs has length ${obs.length}, observationSpace says ${dim}`);
  for (let i = 0; i < obs.length; i++) {
    if (!Number.isFinite(obs[i]!)) {
      errors.push(`${where}: obs[${i}] is ${obs[i]}`);
      return;
    }
    if (space.kind === 'box' && (obs[i]! < space.low[i]! || obs[i]! > space.high[i]!)) {
      errors.push(`${where}: obs[${i}] = ${obs[i]} is outside the observation space`);
      return;
    }
  }
}

function rollout(env: Env, seed: number, nSteps: number, errors: string[]): number[] {
  const rng = new Rng(seed);
  const trace: number[] = [];
  const dim = size(env.observationSpace);
  const r0 = env.reset({ seed });
  checkObs('reset', r0.obs, dim, env.observationSpace, errors);
  if (typeof r0.info !== 'object' || r0.info === null) errors.push('reset: info must be an object');
  trace.push(...r0.obs);
  let prev = r0.obs;
  let prevCopy = Float32Array.from(r0.obs);
  for (let s = 0; s < nSteps; s++) {
    const action = sample(env.actionSpace, rng);
    const r = env.step(action);
    checkObs(`step ${s}`, r.obs, dim, env.observationSpace, errors);
    if (typeof r.reward !== 'number' || !Number.isFinite(r.reward))
      errors.push(`step ${s}: reward ${r.reward} is not a finite number`);
    if (typeof r.terminated !== 'boolean' || typeof r.truncated !== 'boolean') {
      errors.push(`step ${s}: terminated and truncated must be booleans`);
    }
    if (typeof r.info !== 'object' || r.info === null) errors.push(`step ${s}: info must be an object`);
    for (let i = 0; i < prev.length; i++) {
      if (prev[i] !== prevCopy[i]) {
        errors.push(`step ${s}: the previous observation was modified in place (return a copy)`);
        break;
      }
    }
    trace.push(r.reward, ...r.obs);
    prev = r.obs;
    prevCopy = Float32Array.from(r.obs);
    if (r.terminated || r.truncated) {
      const rr = env.reset();
      prev = rr.obs;
      prevCopy = Float32Array.from(rr.obs);
    }
    if (errors.length > 20) break;
  }
  return trace;
}

/**
 * @example
 * const { warnings } = checkEnv(asSingleAgentEnv(market, 'rl-long-0'));
 */
export function checkEnv(env: Env, options: CheckEnvOptions = {}): CheckEnvReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  const nSteps = options.nSteps ?? 64;
  const seed = options.seed ?? 0;
  checkSpace('observationSpace', env.observationSpace, errors);
  checkSpace('actionSpace', env.actionSpace, errors);
  if (env.actionSpace.kind === 'box') {
    const { low, high } = env.actionSpace;
    let symmetric = true;
    for (let i = 0; i < low.length; i++) if (low[i] !== -1 || high[i] !== 1) symmetric = false;
    if (!symmetric) {
      warnings.push(
        'actionSpace is not [-1, 1]: rescale actions from a tanh/clipped policy to the bounds (SB3 advice)',
      );
    }
  }
  if (errors.length === 0) {
    const a = rollout(env, seed, nSteps, errors);
    const b = rollout(env, seed, nSteps, errors);
    if (errors.length === 0) {
      const same = a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
      if (!same) errors.push('not deterministic: the same seed and actions gave a different episode');
    }
  }
  if (errors.length > 0 && options.throwOnError !== false) {
    throw new MarketEnvError(
      'CHECK',
      `checkEnv found ${errors.length} problem(s):\n- ${errors.join('\n- ')}`,
    );
  }
  return { errors, warnings };
}
