/**
 * The agents of a market: default ids (`rl-long-0`, `mom-0`, …), roles and the heuristic
 * policy behind each built-in kind.
 */
import type { AgentRole } from './actions.js';
import type { AgentConfig, AgentKind, MarketEnvConfig } from './config.js';
import { MarketEnvError } from './errors.js';
import {
  buyAndHoldPolicy,
  equalWeightPolicy,
  type HeuristicPolicy,
  marketMakerPolicy,
  meanReversionPolicy,
  momentumPolicy,
} from './policies.js';
import type { RiskRules } from './risk.js';

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

/** @internal Resolves ids, roles, cash and risk rules of the configured agents. */
export function resolveAgents(c: MarketEnvConfig): MarketAgent[] {
  const counts = new Map<string, number>();
  const agents: MarketAgent[] = [];
  for (const [i, a] of c.agents.entries()) {
    const role: AgentRole = a.role ?? (a.kind === 'market-maker' ? 'long-short' : 'long');
    let id = a.id;
    if (!id) {
      const prefix =
        a.kind === 'learned'
          ? `rl-${role === 'long' ? 'long' : role === 'short' ? 'short' : 'ls'}`
          : ID_PREFIX[a.kind];
      const k = counts.get(prefix) ?? 0;
      counts.set(prefix, k + 1);
      id = `${prefix}-${k}`;
    }
    if (agents.some((x) => x.id === id)) {
      throw new MarketEnvError('CONFIG', `duplicate agent id ${id}`, { field: `agents.${i}.id` });
    }
    agents.push({
      id,
      index: i,
      kind: a.kind,
      role,
      learned: a.kind === 'learned',
      grossLimit: a.grossLimit,
      cashUsd: a.cashUsd ?? c.cashUsd,
      risk: a.risk ?? c.risk,
    });
  }
  return agents;
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
