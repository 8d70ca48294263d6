/**
 * @marlts/market-env — a multi-agent, multi-asset market: learned and heuristic agents
 * trade together, their combined net notional moves execution prices, rewards are shaped
 * for cooperation and competition. Pure TypeScript on typed arrays (zod only).
 *
 * This file is the table of contents of the public API.
 */

// The environment and its views
export { MarketEnv } from './env.js';
export type {
  AgentReport,
  MarketAgent,
  MarketAgentInfo,
  MarketBuffers,
  MultiAgentStepResult,
} from './env.js';
export { asSingleAgentEnv } from './single-agent.js';
export type { FixedPolicy, SingleAgentMarketEnv } from './single-agent.js';
export { MarketVecEnv } from './vec-env.js';
export type { MarketVecEnvOptions } from './vec-env.js';
export { checkEnv } from './check-env.js';
export type { CheckEnvOptions, CheckEnvReport } from './check-env.js';

// Configuration
export { marketEnvOptionsSchema, parseMarketEnvOptions } from './config.js';
export type { MarketEnvConfig, MarketEnvOptions } from './config.js';
export { AGENT_KINDS } from './agents.js';
export type { AgentConfig, AgentKind, AgentSpec } from './agents.js';

// Data: CSV, aligned frames, synthetic prices
export { createBarsCsvParser, parseBarsCsv, parseBarTime } from './csv.js';
export type { BarsCsvParser, ParseBarsCsvOptions } from './csv.js';
export type { CsvReason } from './csv-reader.js';
export { findTimeGaps } from './gaps.js';
export type { FindTimeGapsOptions, TimeGap } from './gaps.js';
export { buildFrame, createFrameBuilder, frameFromCsv, inferBarsPerYear, sliceFrame } from './frame.js';
export type { BarColumns, BuildFrameOptions, FrameBuilder } from './frame.js';
export {
  expectedLogReturns,
  generateSyntheticFrame,
  parseSyntheticOptions,
  syntheticOptionsSchema,
} from './synthetic.js';
export type { SyntheticConfig, SyntheticOptions } from './synthetic.js';

// The market step (pure kernels, pinned by test/fixtures/vectors/market_step.json)
export {
  createExecutionOutputs,
  executeTrades,
  impactFactor,
  marketStep,
  markToMarket,
} from './market-step.js';
export type {
  ExecutionOutputs,
  ExecutionParams,
  ImpactModel,
  MarketStepInputs,
  MarketStepResult,
} from './market-step.js';

// Actions and observations (the same builder the env uses, for live trading)
export { normalizeWeights, roleBounds } from './actions.js';
export type { AgentRole } from './actions.js';
export {
  buildObservation,
  DEFAULT_HORIZONS,
  logReturnsFromCloses,
  observationLayout,
  writeObservation,
} from './features.js';
export type { ObservationInputs, ObservationKind, ObservationLayout } from './features.js';

// Rewards
export { DifferentialSharpe, logReturnReward, shapedReward } from './rewards.js';
export type { ShapedRewardTerms } from './rewards.js';

// Heuristic agents
export {
  buyAndHoldPolicy,
  equalWeightPolicy,
  marketMakerPolicy,
  meanReversionPolicy,
  momentumPolicy,
} from './policies.js';
export type { HeuristicPolicy, PolicyView } from './policies.js';

// Risk rules (usable by the env and by the app)
export {
  blockNewEntries,
  capWeights,
  dailyStopHit,
  positionReturn,
  stopLossTakeProfit,
  updateEntryPrice,
  utcDay,
} from './risk.js';
export type { RiskRules } from './risk.js';

// Metrics and baselines
export { computeMetrics, maxDrawdown } from './metrics.js';
export {
  deflatedSharpeRatio,
  normalCdf,
  normalQuantile,
  probabilisticSharpeRatio,
  returnMoments,
  sharpeDifferenceBootstrap,
} from './significance.js';
export type { ReturnMoments, SharpeDifference } from './significance.js';
export type { MetricsOptions, PerformanceMetrics } from './metrics.js';
export { runBaselines } from './baselines.js';
export type { BaselineOptions, BaselineResult, BaselineResults } from './baselines.js';

// Errors and randomness
export { isMarketEnvError, MarketEnvError } from './errors.js';
export type { CsvErrorDetail, MarketEnvErrorCode, MarketEnvErrorOptions } from './errors.js';
export { Rng } from './random.js';

// Structural shapes shared with the other packages (declared here, not imported)
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
