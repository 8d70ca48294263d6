/**
 * @marlts/market-env — a multi-agent, multi-asset market: learned and heuristic agents
 * trade together, their combined net notional moves execution prices, rewards are shaped
 * for cooperation and competition. Pure TypeScript on typed arrays (zod only).
 *
 * This file is the table of contents of the public API.
 */

export type { AgentRole } from './actions.js';
// Actions
export { normalizeWeights, roleBounds } from './actions.js';
export type { BaselineOptions, BaselineResult, BaselineResults } from './baselines.js';
// Baselines and metrics
export { runBaselines } from './baselines.js';
export type { CheckEnvOptions, CheckEnvReport } from './check-env.js';
export { checkEnv } from './check-env.js';
export type { AgentConfig, AgentKind, AgentSpec, MarketEnvConfig, MarketEnvOptions } from './config.js';
// Configuration
export { AGENT_KINDS, marketEnvOptionsSchema, parseMarketEnvOptions } from './config.js';
export type { ParseBarsCsvOptions } from './csv.js';
// Data
export { parseBarsCsv, parseBarTime } from './csv.js';
export type {
  AgentReport,
  MarketAgent,
  MarketAgentInfo,
  MarketBuffers,
  MultiAgentStepResult,
} from './env.js';
// The environment and its views
export { MarketEnv } from './env.js';
export type { MarketEnvErrorCode, MarketEnvErrorOptions } from './errors.js';
// Errors
export { isMarketEnvError, MarketEnvError } from './errors.js';
export type { ObservationInputs, ObservationLayout } from './features.js';
// Observations (the same builder the env uses)
export { buildObservation, logReturnsFromCloses, observationLayout, writeObservation } from './features.js';
export type { BuildFrameOptions } from './frame.js';
export { buildFrame, frameFromCsv, inferBarsPerYear, sliceFrame } from './frame.js';
export type {
  ExecutionOutputs,
  ExecutionParams,
  ImpactModel,
  MarketStepInputs,
  MarketStepResult,
} from './market-step.js';
// The market step (pure kernels)
export {
  createExecutionOutputs,
  executeTrades,
  impactFactor,
  marketStep,
  markToMarket,
} from './market-step.js';
export type { MetricsOptions, PerformanceMetrics } from './metrics.js';
export { computeMetrics, maxDrawdown } from './metrics.js';
export type { HeuristicPolicy, PolicyView } from './policies.js';
// Heuristic agents
export {
  buyAndHoldPolicy,
  equalWeightPolicy,
  marketMakerPolicy,
  meanReversionPolicy,
  momentumPolicy,
} from './policies.js';
export { Rng } from './random.js';
export type { ShapedRewardTerms } from './rewards.js';
// Rewards
export { DifferentialSharpe, logReturnReward, shapedReward } from './rewards.js';
export type { RiskRules } from './risk.js';
// Risk rules
export {
  blockNewEntries,
  capWeights,
  dailyStopHit,
  positionReturn,
  stopLossTakeProfit,
  updateEntryPrice,
  utcDay,
} from './risk.js';
export type { FixedPolicy, SingleAgentMarketEnv } from './single-agent.js';
export { asSingleAgentEnv } from './single-agent.js';
export type { SyntheticConfig, SyntheticOptions } from './synthetic.js';
// Synthetic prices
export { generateSyntheticFrame, parseSyntheticOptions, syntheticOptionsSchema } from './synthetic.js';
export type {
  Bar,
  BoxSpace,
  DiscreteSpace,
  Env,
  EnvResetResult,
  EnvStepResult,
  PriceFrame,
  Space,
  VecEnv,
  VecEnvStepResult,
} from './types.js';
export type { MarketVecEnvOptions } from './vec-env.js';
export { MarketVecEnv } from './vec-env.js';

export const version = '0.1.0';
