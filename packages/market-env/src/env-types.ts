/**
 * Result and report shapes of `MarketEnv`.
 */
import type { AgentKind } from './agents.js';
import type { PerformanceMetrics } from './metrics.js';

/** The hot-path buffers, overwritten by every `resetArrays` / `stepArrays`. */
export interface MarketBuffers {
  /** `[nAgents × obsDim]`, agents in env order. */
  readonly obs: Float32Array;
  /** `[nAgents]` rewards of the last step (0 for agents terminated before it). */
  readonly rewards: Float64Array;
  /** `[nAgents]` 1 once the agent was liquidated (its episode ended). */
  readonly terminated: Uint8Array;
  /** `[nAgents]` values at the close of the current bar. */
  readonly values: Float64Array;
  /**
   * `[nAgents × nAssets]` the target weights each agent decided on the close of the
   * previous bar (after normalisation and risk rules), i.e. its order intent.
   */
  readonly targets: Float64Array;
  /** `[nAgents]` 1 when the agent decided not to trade (buy-and-hold after entry), 2 when it is out (liquidated). */
  readonly holds: Uint8Array;
  /** The episode was cut by its length or the end of the data. */
  truncated: boolean;
}

/** Per-agent info returned by `reset` / `step` (a type alias, so it is a `Record<string, unknown>`). */
export type MarketAgentInfo = {
  /** Index of the current bar (the next decision bar) and its start time (ms UTC). */
  t: number;
  time: number;
  value: number;
  cash: number;
  /** Costs of the last step in dollars. */
  feesUsd: number;
  impactCostUsd: number;
  borrowCostUsd: number;
  tradedNotionalUsd: number;
  liquidated: boolean;
};

/** What the record form of `step` returns. */
export interface MultiAgentStepResult {
  obs: Record<string, Float32Array>;
  rewards: Record<string, number>;
  terminated: Record<string, boolean>;
  truncated: Record<string, boolean>;
  infos: Record<string, MarketAgentInfo>;
}

/** Performance and cost report of one agent over the current episode. */
export interface AgentReport extends PerformanceMetrics {
  agentId: string;
  kind: AgentKind;
  /** Values at the close of each bar of the episode, `[steps + 1]`. */
  equity: Float64Array;
  tradedNotionalUsd: number;
  /** Traded notional ÷ mean equity over the episode. */
  turnover: number;
  feesUsd: number;
  impactCostUsd: number;
  borrowCostUsd: number;
  liquidated: boolean;
}
