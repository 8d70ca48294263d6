/**
 * One market step (architecture.md, "One market step"), as pure float64 kernels:
 * every agent trades to its target shares at the reference price `p`; the aggregated
 * net notional of ALL agents per asset moves the execution price
 * (`impact = clamp(1 + k·net/(L + 1), 1 − m, 1 + m)`, or a square-root law); cash pays
 * `q·execPrice` plus fees. An agent whose equity falls below the maintenance margin
 * is liquidated: a forced sale of its book alone at the close. `marketStep` composes the
 * kernels exactly as test/fixtures/vectors/market_step.json pins them; `MarketEnv` calls
 * the same kernels.
 */
import { shapedReward } from './rewards.js';

/** `'linear'`: `1 + k·net/(L+1)`; `'sqrt'`: `1 + sign(net)·k·√(|net|/(L+1))` (square-root law). */
export type ImpactModel = 'linear' | 'sqrt';

/**
 * The execution-price multiplier of one asset for a net notional (dollars, + = net buying).
 * @example
 * impactFactor(50_000, 1e6, 1, 0.05, 'linear'); // 1.049999…
 */
export function impactFactor(
  netNotional: number,
  liquidity: number,
  coeff: number,
  maxImpact: number,
  model: ImpactModel = 'linear',
): number {
  const x = netNotional / (liquidity + 1);
  const raw = model === 'linear' ? 1 + coeff * x : 1 + Math.sign(x) * coeff * Math.sqrt(Math.abs(x));
  return raw < 1 - maxImpact ? 1 - maxImpact : Math.min(raw, 1 + maxImpact);
}

/** Execution parameters of {@link executeTrades}. */
export interface ExecutionParams {
  impactModel: ImpactModel;
  impactCoeff: number;
  maxImpact: number;
  /** `[N]` liquidity in dollars per asset. */
  liquidity: ArrayLike<number>;
  /** Fee as a fraction of traded dollars at the execution price (`feeBps / 1e4`). */
  feeRate: number;
}

/** Per-step outputs of {@link executeTrades} (preallocate once, reuse). */
export interface ExecutionOutputs {
  /** `[N]` Σ_a q_a·p. */
  netNotional: Float64Array;
  /** `[N]` price multiplier. */
  impact: Float64Array;
  /** `[N]` p·impact. */
  execPrice: Float64Array;
  /** `[A]` fees paid this step. */
  fees: Float64Array;
  /** `[A]` Σ q·(execPrice − p): what impact cost the agent (negative = it gained). */
  impactCost: Float64Array;
  /** `[A]` Σ |q|·execPrice. */
  tradedNotional: Float64Array;
}

/**
 * Allocates outputs for {@link executeTrades}.
 * @example
 * const out = createExecutionOutputs(4, 10);
 */
export function createExecutionOutputs(nAgents: number, nAssets: number): ExecutionOutputs {
  return {
    netNotional: new Float64Array(nAssets),
    impact: new Float64Array(nAssets),
    execPrice: new Float64Array(nAssets),
    fees: new Float64Array(nAgents),
    impactCost: new Float64Array(nAgents),
    tradedNotional: new Float64Array(nAgents),
  };
}

/**
 * Executes the traded shares `traded[a*N + n]` of all agents together at reference
 * prices `price[priceOffset + n]` (in place: `cash` and `shares` are updated).
 * @example
 * executeTrades(A, N, price, traded, cash, shares, params, out);
 */
export function executeTrades(
  nAgents: number,
  nAssets: number,
  price: ArrayLike<number>,
  traded: ArrayLike<number>,
  cash: Float64Array,
  shares: Float64Array,
  params: ExecutionParams,
  out: ExecutionOutputs,
  priceOffset = 0,
): void {
  const { netNotional, impact, execPrice, fees, impactCost, tradedNotional } = out;
  for (let n = 0; n < nAssets; n++) {
    const p = price[priceOffset + n]!;
    let net = 0;
    for (let a = 0; a < nAgents; a++) net += traded[a * nAssets + n]! * p;
    netNotional[n] = net;
    const f = impactFactor(
      net,
      params.liquidity[n]!,
      params.impactCoeff,
      params.maxImpact,
      params.impactModel,
    );
    impact[n] = f;
    execPrice[n] = p * f;
  }
  for (let a = 0; a < nAgents; a++) {
    let spend = 0;
    let gross = 0;
    let cost = 0;
    const row = a * nAssets;
    for (let n = 0; n < nAssets; n++) {
      const q = traded[row + n]!;
      if (q === 0) continue;
      const px = execPrice[n]!;
      spend += q * px;
      gross += Math.abs(q) * px;
      cost += q * (px - price[priceOffset + n]!);
      shares[row + n] = shares[row + n]! + q;
    }
    const fee = gross * params.feeRate;
    cash[a] = cash[a]! - spend - fee;
    fees[a] = fee;
    impactCost[a] = cost;
    tradedNotional[a] = gross;
  }
}

/**
 * True when an agent must be liquidated: its value is gone, or below `maintenanceMargin`
 * of its gross exposure (Σ|shares·price|).
 * @example
 * belowMaintenance(20_000, 100_000, 0.25); // true
 */
export function belowMaintenance(value: number, gross: number, maintenanceMargin: number): boolean {
  return value <= 0 || (gross > 0 && value < maintenanceMargin * gross);
}

/**
 * Forced sale of every position of agent `agent` at `price[priceOffset + n]`, alone: the
 * impact comes from its own notional, not the market's, and it pays fees. Its shares go
 * to 0 and its cash absorbs the proceeds; the fees, impact cost and traded notional are
 * added to `costs[agent]` (the step's other trades are already there). Returns the
 * agent's cash, which is now its whole value.
 * @example
 * const value = liquidate(a, N, close, (t + 1) * N, cash, shares, params, { fees, impactCost, tradedNotional });
 */
export function liquidate(
  agent: number,
  nAssets: number,
  price: ArrayLike<number>,
  priceOffset: number,
  cash: Float64Array,
  shares: Float64Array,
  params: ExecutionParams,
  costs: Pick<ExecutionOutputs, 'fees' | 'impactCost' | 'tradedNotional'>,
): number {
  const row = agent * nAssets;
  let c = cash[agent]!;
  for (let n = 0; n < nAssets; n++) {
    const h = shares[row + n]!;
    if (h === 0) continue;
    const p = price[priceOffset + n]!;
    const q = -h;
    const px =
      p * impactFactor(q * p, params.liquidity[n]!, params.impactCoeff, params.maxImpact, params.impactModel);
    const fee = Math.abs(q) * px * params.feeRate;
    c -= q * px + fee;
    costs.fees[agent] = costs.fees[agent]! + fee;
    costs.impactCost[agent] = costs.impactCost[agent]! + q * (px - p);
    costs.tradedNotional[agent] = costs.tradedNotional[agent]! + Math.abs(q) * px;
    shares[row + n] = 0;
  }
  cash[agent] = c;
  return c;
}

/**
 * Marks every agent to market: `value[a] = cash[a] + Σ shares[a,n]·price[n]`.
 * @example
 * markToMarket(A, N, closeRow, cash, shares, values);
 */
export function markToMarket(
  nAgents: number,
  nAssets: number,
  price: ArrayLike<number>,
  cash: ArrayLike<number>,
  shares: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  for (let a = 0; a < nAgents; a++) {
    let v = cash[a]!;
    const row = a * nAssets;
    for (let n = 0; n < nAssets; n++) v += shares[row + n]! * price[n]!;
    out[a] = v;
  }
  return out;
}

/** Inputs of {@link marketStep}: the fields of a market_step.json case, camelCased. */
export interface MarketStepInputs {
  /** `[N]` reference (execution) prices before impact. */
  priceT: readonly number[];
  /** `[N]` prices at which the result is marked. */
  priceT1: readonly number[];
  /** `[A]` */
  cash: readonly number[];
  /** `[A][N]` */
  shares: readonly (readonly number[])[];
  /** `[A][N]` target weights of each agent's value (the remainder stays cash). */
  weights: readonly (readonly number[])[];
  impactCoeff: number;
  /** `[N]` */
  liquidity: readonly number[];
  maxImpact: number;
  feeRate: number;
  coopWeight: number;
  compWeight: number;
  impactModel?: ImpactModel;
}

/** Everything one step computes (the `expected` fields of market_step.json). */
export interface MarketStepResult {
  valueBefore: number[];
  targetShares: number[][];
  tradedShares: number[][];
  netNotional: number[];
  impact: number[];
  execPrice: number[];
  fees: number[];
  cashAfter: number[];
  valueAfter: number[];
  base: number[];
  meanValue: number;
  stdValue: number;
  coopBonus: number;
  compBonus: number[];
  shapedReward: number[];
}

/**
 * One market step on plain arrays, exactly as architecture.md writes it (fractional
 * shares, no dead-band). For notebooks and the reference-vector tests.
 * @example
 * const r = marketStep({ priceT: [100, 50], priceT1: [101, 49], cash: [1e5, 1e5], shares: [[0, 0], [0, 0]],
 *   weights: [[0.5, 0.5], [0.6, 0.4]], impactCoeff: 0, liquidity: [1e6, 1e6], maxImpact: 0.05, feeRate: 0,
 *   coopWeight: 0.05, compWeight: 0.1 });
 * r.shapedReward; // per agent
 */
export function marketStep(inputs: MarketStepInputs): MarketStepResult {
  const A = inputs.cash.length;
  const N = inputs.priceT.length;
  const p = Float64Array.from(inputs.priceT);
  const p1 = Float64Array.from(inputs.priceT1);
  const cash = Float64Array.from(inputs.cash);
  const shares = new Float64Array(A * N);
  for (let a = 0; a < A; a++) for (let n = 0; n < N; n++) shares[a * N + n] = inputs.shares[a]![n]!;
  const valueBefore = markToMarket(A, N, p, cash, shares, new Float64Array(A));
  const target = new Float64Array(A * N);
  const traded = new Float64Array(A * N);
  for (let a = 0; a < A; a++) {
    for (let n = 0; n < N; n++) {
      const i = a * N + n;
      target[i] = (inputs.weights[a]![n]! * valueBefore[a]!) / p[n]!;
      traded[i] = target[i]! - shares[i]!;
    }
  }
  const out = createExecutionOutputs(A, N);
  executeTrades(
    A,
    N,
    p,
    traded,
    cash,
    shares,
    {
      impactModel: inputs.impactModel ?? 'linear',
      impactCoeff: inputs.impactCoeff,
      maxImpact: inputs.maxImpact,
      liquidity: inputs.liquidity,
      feeRate: inputs.feeRate,
    },
    out,
  );
  // The vector marks target shares (shares after the trade) at p_{t+1}.
  const valueAfter = markToMarket(A, N, p1, cash, shares, new Float64Array(A));
  const base = new Float64Array(A);
  for (let a = 0; a < A; a++) base[a] = valueAfter[a]! - valueBefore[a]!;
  const comp = new Float64Array(A);
  const reward = new Float64Array(A);
  const terms = shapedReward(valueAfter, base, inputs.coopWeight, inputs.compWeight, reward, comp);
  const rows = (x: Float64Array) =>
    Array.from({ length: A }, (_, a) => Array.from(x.subarray(a * N, (a + 1) * N)));
  return {
    valueBefore: Array.from(valueBefore),
    targetShares: rows(target),
    tradedShares: rows(traded),
    netNotional: Array.from(out.netNotional),
    impact: Array.from(out.impact),
    execPrice: Array.from(out.execPrice),
    fees: Array.from(out.fees),
    cashAfter: Array.from(cash),
    valueAfter: Array.from(valueAfter),
    base: Array.from(base),
    meanValue: terms.mean,
    stdValue: terms.std,
    coopBonus: terms.coop,
    compBonus: Array.from(comp),
    shapedReward: Array.from(reward),
  };
}
