/**
 * Actions are target weights of the agent's value; its role fixes the action space and
 * how an action is normalised (architecture.md, "One market step"):
 * - `long`: each weight clipped to [0, 1]; if Σw > 1 the weights are scaled to Σw = 1; cash takes the rest.
 * - `short`: each weight clipped to [−1, 0]; if Σ|w| > grossLimit they are scaled to the limit.
 * - `long-short`: each weight clipped to [−1, 1]; longs scaled to Σw⁺ ≤ 1 (short proceeds are
 *   held, not spent), then everything scaled to Σ|w| ≤ grossLimit.
 * Non-finite entries count as 0 in `normalizeWeights`; the env refuses them first.
 */
import { MarketEnvError } from './errors.js';

/** Which side an agent may take. */
export type AgentRole = 'long' | 'short' | 'long-short';

/**
 * Per-asset action bounds of a role.
 * @example
 * roleBounds('short'); // [-1, 0]
 */
export function roleBounds(role: AgentRole): readonly [number, number] {
  return role === 'long' ? [0, 1] : role === 'short' ? [-1, 0] : [-1, 1];
}

/**
 * Normalises `nAssets` raw action values starting at `action[offset]` into target weights `out`.
 * @example
 * const w = new Float64Array(2);
 * normalizeWeights('long', [0.8, 0.6], w); // w = [0.571…, 0.428…]
 */
export function normalizeWeights(
  role: AgentRole,
  action: ArrayLike<number>,
  out: Float64Array,
  grossLimit = 1,
  offset = 0,
  nAssets: number = out.length,
): Float64Array {
  const [lo, hi] = roleBounds(role);
  let longSum = 0;
  let gross = 0;
  for (let n = 0; n < nAssets; n++) {
    let w = action[offset + n]!;
    if (!Number.isFinite(w)) w = 0;
    w = w < lo ? lo : Math.min(w, hi);
    out[n] = w;
    if (w > 0) longSum += w;
    gross += Math.abs(w);
  }
  if (longSum > 1) {
    const s = 1 / longSum;
    gross = 0;
    for (let n = 0; n < nAssets; n++) {
      if (out[n]! > 0) out[n] = out[n]! * s;
      gross += Math.abs(out[n]!);
    }
  }
  const limit = role === 'long' ? 1 : grossLimit;
  if (gross > limit) {
    const s = limit / gross;
    for (let n = 0; n < nAssets; n++) out[n] = out[n]! * s;
  }
  return out;
}

/**
 * @internal Refuses a learned-action array the env cannot step with: it must hold
 * `learnedAgentIds.length × symbols.length` finite numbers, agent-major. The error names
 * the agent and symbol of the first bad value.
 * @example
 * checkActionArray(actions, ['rl-long-0'], frame.symbols);
 */
export function checkActionArray(
  actions: ArrayLike<number>,
  learnedAgentIds: readonly string[],
  symbols: readonly string[],
): void {
  const N = symbols.length;
  const need = learnedAgentIds.length * N;
  if (actions.length !== need) {
    throw new MarketEnvError(
      'ACTION',
      `expected ${need} action values (${learnedAgentIds.length} learned agents × ${N} assets), got ${actions.length}`,
    );
  }
  for (let i = 0; i < need; i++) {
    if (!Number.isFinite(actions[i]!)) {
      const id = learnedAgentIds[Math.floor(i / N)]!;
      throw new MarketEnvError('ACTION', `action of ${id} for ${symbols[i % N]} is ${actions[i]}`, {
        field: id,
        symbol: symbols[i % N]!,
      });
    }
  }
}
