/**
 * Stage: bookkeeping. Reads the account and its positions at a new bar and records them
 * in one transaction: the position snapshot, the account's equity and exposure, and the
 * equal-dollar buy-and-hold benchmark of the same symbols since the run's first bar.
 */
import type { Account, Position } from '@marlts/broker-alpaca';
import type { BarHistory } from '../history.js';
import { type LiveSession, LOOP_NOTE, type LoopState, PAPER_SERIES } from '../loop-state.js';

/**
 * The account at a bar, as the later stages see it.
 *
 * @example
 * const { equity, prices } = await recordBar(session, state, { t, history, nAssets });
 */
export interface BarAccount {
  account: Account;
  positions: Position[];
  /** The bar's close per symbol (the history's order). */
  prices: Float64Array;
  equity: number;
  /** The equity at the start of the trading day (the daily stop and the day-trade rule). */
  dayStartEquity: number;
}

/**
 * Records the account at bar `t`; sets `state.buyAndHoldStart` at the run's first bar.
 *
 * @example
 * const bar = await recordBar(session, state, { t, history, nAssets: 10 });
 */
export async function recordBar(
  session: LiveSession,
  state: LoopState,
  at: { t: number; history: BarHistory; nAssets: number },
): Promise<BarAccount> {
  const { broker, store, runId } = session;
  const { t, nAssets } = at;
  const [account, positions] = await Promise.all([broker.getAccount(), broker.listPositions()]);
  const prices = at.history.lastCloses(t);
  const gross = positions.reduce((a, p) => a + Math.abs(p.marketValue ?? p.qty * (p.currentPrice ?? 0)), 0);
  const equity = account.equity;
  state.buyAndHoldStart ??= { equity, prices: [...prices] };
  const start = state.buyAndHoldStart;
  let priceRatios = 0;
  for (let n = 0; n < nAssets; n++) priceRatios += prices[n]! / start.prices[n]!;
  const buyAndHold = (start.equity * priceRatios) / nAssets;
  store.transaction(() => {
    store.snapshotPositions(
      runId,
      t,
      positions.map((p) => ({
        symbol: p.symbol,
        qty: p.qty,
        avgEntryPrice: p.avgEntryPrice,
        marketValue: p.marketValue,
      })),
    );
    store.appendEquity(runId, PAPER_SERIES.account, [
      { t, value: equity, exposure: equity > 0 ? gross / equity : 0 },
    ]);
    store.appendEquity(runId, PAPER_SERIES.buyAndHold, [{ t, value: buyAndHold, exposure: 1 }]);
    store.setNote(runId, LOOP_NOTE.buyAndHoldStart, state.buyAndHoldStart);
  });
  return { account, positions, prices, equity, dayStartEquity: account.lastEquity ?? equity };
}
