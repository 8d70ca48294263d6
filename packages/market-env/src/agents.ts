/**
 * The agents of a market: their options (kind, role, cash, risk overrides), default ids
 * (`rl-long-0`, `mom-0`, …), roles and the heuristic policy behind each built-in kind.
 */
import { z } from 'zod';
import type { AgentRole } from './actions.js';
import {
  buyAndHoldPolicy,
  equalWeightPolicy,
  type HeuristicPolicy,
  marketMakerPolicy,
  meanReversionPolicy,
  momentumPolicy,
} from './policies.js';
import type { RiskRules } from './risk.js';

/**
 * The built-in agent kinds; `learned` takes its actions from outside.
 * @example
 * AGENT_KINDS.includes('momentum'); // true
 */
export const AGENT_KINDS = [
  'learned',
  'momentum',
  'mean-reversion',
  'market-maker',
  'buy-and-hold',
  'equal-weight',
] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** @internal Risk rules of the env or of one agent (`MarketEnvOptions.risk`, `agents[i].risk`). */
export const riskSchema = z.strictObject({
  stopLoss: z.number().positive().optional(),
  takeProfit: z.number().positive().optional(),
  dailyLossLimit: z.number().positive().max(1).optional(),
  maxWeight: z.number().positive().max(1).optional(),
});

/** @internal One entry of `MarketEnvOptions.agents`. */
export const agentSchema = z.strictObject({
  /** Stable id; default `<prefix>-<k>` (rl-long-0, rl-short-0, rl-ls-0, mom-0, mean-0, mm-0, bh-0, ew-0). */
  id: z.string().min(1).optional(),
  kind: z.enum(AGENT_KINDS),
  /** Default: `long` (market maker: `long-short`). */
  role: z.enum(['long', 'short', 'long-short']).optional(),
  /** Starting cash of this agent's sleeve (default: the env's `cashUsd`). */
  cashUsd: z.number().positive().optional(),
  /** Σ|w| limit for short and long-short roles. */
  grossLimit: z.number().positive().max(10).default(1),
  /** Momentum / mean-reversion lookback in bars. */
  lookback: z.number().int().min(1).optional(),
  /** Market maker: how hard it leans against the net flow, its inventory cap and decay. */
  lean: z.number().nonnegative().optional(),
  maxInventory: z.number().positive().max(1).optional(),
  decay: z.number().min(0).max(1).optional(),
  /** Equal weight: rebalance period in bars. */
  rebalanceEvery: z.number().int().min(1).optional(),
  /** Overrides the env's `risk` for this agent. */
  risk: riskSchema.optional(),
});

export type AgentSpec = z.input<typeof agentSchema>;
export type AgentConfig = z.output<typeof agentSchema>;

/** One agent of the env, after defaults. */
export interface MarketAgent {
  readonly id: string;
  readonly index: number;
  readonly kind: AgentKind;
  readonly role: AgentRole;
  readonly learned: boolean;
  readonly grossLimit: number;
  readonly cashUsd: number;
  readonly risk: RiskRules;
}

const ID_PREFIX: Record<AgentKind, string> = {
  learned: 'rl',
  momentum: 'mom',
  'mean-reversion': 'mean',
  'market-maker': 'mm',
  'buy-and-hold': 'bh',
  'equal-weight': 'ew',
};

function roleOf(a: Pick<AgentConfig, 'kind' | 'role'>): AgentRole {
  return a.role ?? (a.kind === 'market-maker' ? 'long-short' : 'long');
}

/**
 * @internal The id of every configured agent in order: its own, else `<prefix>-<k>` counted
 * per prefix. The options schema refuses a list in which two agents end up with one id.
 */
export function agentIds(agents: readonly Pick<AgentConfig, 'id' | 'kind' | 'role'>[]): string[] {
  const counts = new Map<string, number>();
  return agents.map((a) => {
    if (a.id) return a.id;
    const role = roleOf(a);
    const prefix =
      a.kind === 'learned'
        ? `rl-${role === 'long' ? 'long' : role === 'short' ? 'short' : 'ls'}`
        : ID_PREFIX[a.kind];
    const k = counts.get(prefix) ?? 0;
    counts.set(prefix, k + 1);
    return `${prefix}-${k}`;
  });
}

/** @internal Ids, roles, cash and risk rules of the configured agents (options already validated). */
export function resolveAgents(c: {
  agents: readonly AgentConfig[];
  cashUsd: number;
  risk: RiskRules;
}): MarketAgent[] {
  const ids = agentIds(c.agents);
  return c.agents.map((a, i) => ({
    id: ids[i]!,
    index: i,
    kind: a.kind,
    role: roleOf(a),
    learned: a.kind === 'learned',
    grossLimit: a.grossLimit,
    cashUsd: a.cashUsd ?? c.cashUsd,
    risk: a.risk ?? c.risk,
  }));
}

/** @internal The policy of a built-in agent kind (null for learned agents). */
export function makePolicy(a: AgentConfig, role: AgentRole): HeuristicPolicy | null {
  switch (a.kind) {
    case 'learned':
      return null;
    case 'momentum':
      return momentumPolicy({ role, ...(a.lookback ? { lookback: a.lookback } : {}) });
    case 'mean-reversion':
      return meanReversionPolicy({ role, ...(a.lookback ? { lookback: a.lookback } : {}) });
    case 'market-maker':
      return marketMakerPolicy({
        ...(a.lean !== undefined ? { lean: a.lean } : {}),
        ...(a.maxInventory !== undefined ? { maxInventory: a.maxInventory } : {}),
        ...(a.decay !== undefined ? { decay: a.decay } : {}),
      });
    case 'buy-and-hold':
      return buyAndHoldPolicy();
    case 'equal-weight':
      return equalWeightPolicy(a.rebalanceEvery ? { rebalanceEvery: a.rebalanceEvery } : {});
  }
}
