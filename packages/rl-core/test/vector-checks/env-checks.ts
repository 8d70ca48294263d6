/**
 * Trajectory checks for the check environments: replays every recorded step of a
 * `pendulum_traj` / `cartpole_traj` case. Each step starts from the RECORDED previous state
 * (as the vectors README advises: sin/cos may differ by 1 ulp between runtimes), while the
 * step counter runs on, so `truncated` at the time limit is checked too.
 */
import { CartPole } from '../../src/envs/cartpole.js';
import { Pendulum } from '../../src/envs/pendulum.js';
import { VECTOR_TOLERANCES } from './compare.js';
import { flat, num } from './fields.js';
import type { VectorCase, VectorCheck, VectorKind } from './types.js';

const EXACT = { rtol: 0, atol: 0 };
/** Float32 observations: the float32 cast of a float64 value that may differ by 1 ulp. */
const OBS = { rtol: 2 ** -23, atol: 1e-30 };

/**
 * Step-by-step checks of one trajectory case (state float64 1e-9, obs float32, reward,
 * terminated, truncated), or `[]` for other kinds.
 *
 * @example
 * const bad = compareChecks(envChecks('pendulum_traj', file.json.cases[0], 'pendulum_traj.json'));
 */
export function envChecks(kind: VectorKind, c: VectorCase, fileLabel: string): VectorCheck[] {
  if (kind !== 'pendulum_traj' && kind !== 'cartpole_traj') return [];
  const env = kind === 'pendulum_traj' ? new Pendulum() : new CartPole();
  const label = `${fileLabel}/${c.name}`;
  const checks: VectorCheck[] = [];
  const steps = c.steps;
  if (!Array.isArray(steps)) return [{ label: `${label}/steps`, actual: 0, expected: 1, ...EXACT }];
  const reset = env.reset({ state: flat(c, 'initial_state') });
  checks.push({ label: `${label}/initial_obs`, actual: reset.obs, expected: flat(c, 'initial_obs'), ...OBS });
  checks.push({ label: `${label}/n_steps`, actual: steps.length, expected: num(c, 'n_steps'), ...EXACT });
  let prev = flat(c, 'initial_state');
  steps.forEach((raw, i) => {
    const s = { ...(raw as Record<string, unknown>), name: `${c.name}.steps[${i}]` };
    const at = `${label}/t=${i}`;
    env.setState(prev);
    const out =
      kind === 'pendulum_traj'
        ? (env as Pendulum).step([num(s, 'action')])
        : (env as CartPole).step(num(s, 'action'));
    const state = flat(s, 'state');
    checks.push({ label: `${at}/state`, actual: env.state, expected: state, ...VECTOR_TOLERANCES.float64 });
    checks.push({ label: `${at}/obs`, actual: out.obs, expected: flat(s, 'obs'), ...OBS });
    checks.push({
      label: `${at}/reward`,
      actual: out.reward,
      expected: num(s, 'reward'),
      ...VECTOR_TOLERANCES.float64,
    });
    checks.push({
      label: `${at}/terminated`,
      actual: Number(out.terminated),
      expected: num(s, 'terminated'),
      ...EXACT,
    });
    checks.push({
      label: `${at}/truncated`,
      actual: Number(out.truncated),
      expected: num(s, 'truncated'),
      ...EXACT,
    });
    prev = state;
  });
  return checks;
}

/**
 * Free-running replay (no state reset between steps): the whole trajectory from the initial
 * state, compared with a looser tolerance that allows ulp-level drift of sin/cos to grow.
 *
 * @example
 * const bad = compareChecks(envFreeRunChecks('cartpole_traj', c, 'cartpole_traj.json', 1e-6));
 */
export function envFreeRunChecks(
  kind: VectorKind,
  c: VectorCase,
  fileLabel: string,
  atol: number,
): VectorCheck[] {
  if (kind !== 'pendulum_traj' && kind !== 'cartpole_traj') return [];
  const env = kind === 'pendulum_traj' ? new Pendulum() : new CartPole();
  env.reset({ state: flat(c, 'initial_state') });
  const checks: VectorCheck[] = [];
  const steps = c.steps as unknown[];
  steps.forEach((raw, i) => {
    const s = { ...(raw as Record<string, unknown>), name: `${c.name}.steps[${i}]` };
    const out =
      kind === 'pendulum_traj'
        ? (env as Pendulum).step([num(s, 'action')])
        : (env as CartPole).step(num(s, 'action'));
    const at = `${fileLabel}/${c.name}/free-run t=${i}`;
    checks.push({ label: `${at}/state`, actual: env.state, expected: flat(s, 'state'), rtol: 0, atol });
    checks.push({
      label: `${at}/done`,
      actual: [Number(out.terminated), Number(out.truncated)],
      expected: [num(s, 'terminated'), num(s, 'truncated')],
      ...EXACT,
    });
  });
  return checks;
}
