/**
 * What a live loop holds between bars, and what it works against. The state that must
 * survive a restart (the sleeves, the buy-and-hold start) is also kept in the run's
 * notes under fixed keys, and read back from them when a loop starts.
 */
import type { AlpacaClient, Asset } from '@marlts/broker-alpaca';
import type { AgentPair } from '../engine/agents.js';
import type { Logger } from '../log.js';
import type { RunStore } from '../store.js';
import type { Champions } from './retrain.js';

/**
 * The run notes the loop keeps its restart state in (the keys are in existing run stores).
 *
 * @example
 * store.setNote(runId, LOOP_NOTE.sleeves, state.sleeves);
 */
export const LOOP_NOTE = {
  sleeves: 'sleeves',
  buyAndHoldStart: 'bhStart',
  lastRetrainBar: 'lastRetrainBar',
} as const;

/**
 * The equity series a paper run records (`paper/account` is the broker's account).
 *
 * @example
 * store.appendEquity(runId, PAPER_SERIES.account, [{ t, value: equity }]);
 */
export const PAPER_SERIES = {
  account: 'paper/account',
  buyAndHold: 'paper/buy-and-hold',
} as const;

/**
 * Each agent's target weights of its sleeve, and the bar time it decided them on.
 *
 * @example
 * const flat: Sleeves = { long: [0, 0], short: [0, 0] };
 */
export interface Sleeves {
  long: number[];
  short: number[];
  decidedAt?: number;
}

/**
 * The account equity and the prices at the run's first bar: the start of its equal-dollar
 * buy-and-hold benchmark.
 *
 * @example
 * const start: BuyAndHoldStart = { equity: 100_000, prices: [39.37, 51.66] };
 */
export interface BuyAndHoldStart {
  equity: number;
  prices: number[];
}

/**
 * The broker and the run a loop works against (what every stage needs).
 *
 * @example
 * await reconcileOrders({ broker, store, runId, log });
 */
export interface LiveSession {
  broker: AlpacaClient;
  store: RunStore;
  runId: string;
  log: Logger;
}

/**
 * Everything a loop carries from one bar to the next.
 *
 * @example
 * const state = initialLoopState(store, runId, symbols.length);
 */
export interface LoopState {
  /** The models acting now (the champions' weights). */
  pair: AgentPair;
  champions: Champions;
  sleeves: Sleeves;
  buyAndHoldStart: BuyAndHoldStart | undefined;
  /** Assets looked up once per session (their shortability flags). */
  assets: Map<string, Asset>;
  /** The broker's clock at the last bar fetch (replay time for a local exchange). */
  clockMs: number;
  barsProcessed: number;
  retrains: number;
  /** Set once `start` completed: `finish` reconciles only a session that began. */
  started: boolean;
}

/**
 * A loop's state before `start`: no models yet, the sleeves and the buy-and-hold start
 * of an earlier session of the run (flat sleeves for a new run).
 *
 * @example
 * const state = initialLoopState(store, runId, 10);
 */
export function initialLoopState(store: RunStore, runId: string, nAssets: number): LoopState {
  const notes = store.getNotes(runId);
  const saved = notes[LOOP_NOTE.sleeves] as Sleeves | undefined;
  return {
    pair: { long: null, short: null },
    champions: { long: undefined, short: undefined },
    sleeves: saved ?? { long: new Array(nAssets).fill(0), short: new Array(nAssets).fill(0) },
    buyAndHoldStart: notes[LOOP_NOTE.buyAndHoldStart] as BuyAndHoldStart | undefined,
    assets: new Map(),
    clockMs: Date.now(),
    barsProcessed: 0,
    retrains: 0,
    started: false,
  };
}
