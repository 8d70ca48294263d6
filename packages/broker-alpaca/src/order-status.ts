/**
 * Which order statuses are final. Alpaca moves an order through `new`, `accepted`,
 * `partially_filled`, `held`, `pending_*` …; it stops changing once it is `filled`,
 * `canceled`, `expired`, `replaced` (a new order took its place) or `rejected`.
 * `done_for_day` is not final: the order can trade again on the next session.
 */
import type { OrderStatus } from './types.js';

const TERMINAL_ORDER_STATUSES: ReadonlySet<string> = new Set<OrderStatus>([
  'filled',
  'canceled',
  'expired',
  'replaced',
  'rejected',
]);

/**
 * True when an order in this status never changes again (no fill, cancel or replace can follow).
 * @example
 * isTerminalOrderStatus('filled'); // true
 * isTerminalOrderStatus('done_for_day'); // false: it may trade on the next session
 */
export function isTerminalOrderStatus(status: string): boolean {
  return TERMINAL_ORDER_STATUSES.has(status);
}
