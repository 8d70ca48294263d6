/**
 * Deterministic client order ids: the same run, bar, symbol and leg always give the
 * same id, so a restarted loop can never send the same order twice (the broker
 * rejects a repeated client_order_id, and the run store skips known ids first).
 * Alpaca caps the id at 48 characters.
 */
import { createHash } from 'node:crypto';
import type { OrderLeg } from './order-legs.js';

/** Short, stable key of a run id (8 hex chars). */
export function runKey(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 8);
}

/**
 * `m-<run8>-<barTime base36>-<SYMBOL>-<leg>`, at most 48 characters.
 *
 * @example
 * clientOrderId('20261121T063000-ab12', Date.UTC(2000, 0, 3), 'MSFT', 'a'); // 'm-1f3a9c0d-dxa6x2o0-MSFT-a'
 */
export function clientOrderId(runId: string, barTime: number, symbol: string, leg: OrderLeg): string {
  const sym = symbol.replace(/[^A-Za-z0-9.]/g, '').slice(0, 20);
  return `m-${runKey(runId)}-${Math.round(barTime).toString(36)}-${sym}-${leg}`.slice(0, 48);
}
