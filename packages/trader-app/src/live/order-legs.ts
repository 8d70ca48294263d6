/**
 * The leg codes of the run store's orders (`orders.leg`). The loop's own legs also end
 * the client order id (`m-<run>-<bar>-<SYMBOL>-<leg>`), so these short codes are part of
 * every run store and every broker's order history: they never change.
 */

/**
 * The leg codes by name.
 *
 * @example
 * store.listOrders(runId).filter((o) => o.leg === ORDER_LEG.adjust); // the bar's main orders
 */
export const ORDER_LEG = {
  /** Adjusts a position toward its target without crossing zero (the close of a crossing too). */
  adjust: 'a',
  /** Opens the rest of a zero crossing once its close has filled. */
  openAfterClose: 'o',
  /** A bracket's stop-loss leg (the broker creates it with its parent). */
  stopLoss: 'sl',
  /** A bracket's take-profit leg. */
  takeProfit: 'tp',
} as const;

/**
 * A leg the loop sends itself (and so names in the client order id).
 *
 * @example
 * const leg: OrderLeg = ORDER_LEG.adjust;
 */
export type OrderLeg = typeof ORDER_LEG.adjust | typeof ORDER_LEG.openAfterClose;

/**
 * True for a leg the loop sent itself (not a bracket leg the broker created).
 *
 * @example
 * isOwnLeg(ORDER_LEG.stopLoss); // false
 */
export function isOwnLeg(leg: string): leg is OrderLeg {
  return leg === ORDER_LEG.adjust || leg === ORDER_LEG.openAfterClose;
}
