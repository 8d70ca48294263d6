/**
 * Reward functions (pure). The shaped reward is architecture.md's: over all agents'
 * values `v`, `std = popStd(v) + 1e-9`, `coop = coopWeight / (1 + std)`,
 * `comp_a = compWeight·(mean(v) − v_a)/(std + 1e-9)`, `reward_a = base_a + coop − comp_a`.
 * The differential Sharpe ratio follows Moody & Saffell, "Learning to trade via direct
 * reinforcement" (IEEE TNN 2001), eq. 9–10.
 */

/** What {@link shapedReward} computed besides the rewards. */
export interface ShapedRewardTerms {
  mean: number;
  /** Population std + 1e-9. */
  std: number;
  coop: number;
}

/**
 * Writes `reward_a = base_a + coop − comp_a` into `out` (and `comp_a` into `compOut` if
 * given); returns the terms. The 1e-9 appears twice on purpose: the notes and the
 * reference vectors add it to the std and again in the competition denominator.
 * @example
 * const r = new Float64Array(4);
 * shapedReward(values, base, 0.05, 0.1, r);
 */
export function shapedReward(
  values: ArrayLike<number>,
  base: ArrayLike<number>,
  coopWeight: number,
  compWeight: number,
  out: Float64Array,
  compOut?: Float64Array,
): ShapedRewardTerms {
  const n = values.length;
  let mean = 0;
  for (let a = 0; a < n; a++) mean += values[a]!;
  mean /= n;
  let ss = 0;
  for (let a = 0; a < n; a++) {
    const d = values[a]! - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / n) + 1e-9;
  const coop = coopWeight / (1 + std);
  for (let a = 0; a < n; a++) {
    const comp = (compWeight * (mean - values[a]!)) / (std + 1e-9);
    if (compOut) compOut[a] = comp;
    out[a] = base[a]! + coop - comp;
  }
  return { mean, std, coop };
}

/**
 * Log return of one step, `log(v1 / v0)`; `-10` if a value is not positive (a ruined
 * agent), so the reward stays finite.
 * @example
 * logReturnReward(100, 101); // ≈ 0.00995
 */
export function logReturnReward(valueBefore: number, valueAfter: number): number {
  if (!(valueBefore > 0) || !(valueAfter > 0)) return -10;
  return Math.log(valueAfter / valueBefore);
}

/**
 * State of the differential Sharpe ratio: exponential moving estimates `A` of the first
 * and `B` of the second moment of returns, with adaptation rate `eta`.
 * @example
 * const dsr = new DifferentialSharpe(0.01);
 * const r = dsr.update(0.002); // reward for a 0.2 % return
 */
export class DifferentialSharpe {
  a = 0;
  b = 0;
  constructor(readonly eta = 0.01) {}

  /** Returns `D_t = (B·ΔA − ½·A·ΔB) / (B − A²)^{3/2}` (0 while the variance estimate is ~0), then updates A, B. */
  update(ret: number): number {
    const dA = ret - this.a;
    const dB = ret * ret - this.b;
    const variance = this.b - this.a * this.a;
    const d = variance > 1e-12 ? (this.b * dA - 0.5 * this.a * dB) / (variance * Math.sqrt(variance)) : 0;
    this.a += this.eta * dA;
    this.b += this.eta * dB;
    return d;
  }

  reset(): void {
    this.a = 0;
    this.b = 0;
  }
}

/** @internal The reward settings the env steps with (`MarketEnvOptions.reward` after defaults). */
export interface RewardSettings {
  kind: 'shaped' | 'pnl' | 'log-return' | 'differential-sharpe';
  coopWeight: number;
  compWeight: number;
  /** Every reward is multiplied by this. */
  scale: number;
}

/**
 * @internal The env's reward of every agent for one step, written into `out`: the shaped
 * reward, the PnL `base`, the log return or the differential Sharpe ratio of the simple
 * return (one `DifferentialSharpe` per agent, updated every step), times `scale`. An agent
 * liquidated before this step (`hold[a] === 2`) no longer plays: reward 0.
 * @example
 * stepRewards(config.reward, values, prevValues, base, holds, dsr, rewards);
 */
export function stepRewards(
  reward: RewardSettings,
  values: Float64Array,
  prevValues: Float64Array,
  base: Float64Array,
  hold: Uint8Array,
  dsr: readonly DifferentialSharpe[],
  out: Float64Array,
): void {
  if (reward.kind === 'shaped') shapedReward(values, base, reward.coopWeight, reward.compWeight, out);
  for (let a = 0; a < values.length; a++) {
    const v0 = prevValues[a]!;
    const v1 = values[a]!;
    let x: number;
    switch (reward.kind) {
      case 'shaped':
        x = out[a]!;
        break;
      case 'pnl':
        x = base[a]!;
        break;
      case 'log-return':
        x = logReturnReward(v0, v1);
        break;
      default:
        x = dsr[a]!.update(v0 > 0 ? v1 / v0 - 1 : -1);
    }
    out[a] = hold[a] === 2 ? 0 : x * reward.scale;
  }
}
