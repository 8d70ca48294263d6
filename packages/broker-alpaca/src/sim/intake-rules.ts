/**
 * The broker rules an order must pass when it is accepted (Alpaca answers 403 otherwise):
 * no opposite-side order open in the symbol (wash trade), no more shares sold than the
 * position has free, shorts only where `checkShortable` allows, enough buying power, and
 * under `legacy-pdt` the day-trade rule. The rules themselves are the pure functions of
 * `rules/`, the same ones an app can call before sending.
 */
import { checkDayTradeRule, countDayTrades } from '../rules/day-trade.js';
import { checkShortable } from '../rules/shortable.js';
import { checkWashTrade } from '../rules/wash-trade.js';
import type { Book } from './book.js';
import { dec, round } from './format.js';
import type { OrderType, Side } from './model.js';
import { forbidden, ruleRejection } from './rejection.js';

/**
 * Wash trade, quantity available, shortability, buying power and the day-trade rule; throws
 * the {@link Rejection} Alpaca would answer.
 * @example
 * checkIntakeRules(book, { symbol: 'MSFT', side: 'sell', qty: 10, type: 'market' }, 'simple', null, null);
 */
export function checkIntakeRules(
  book: Book,
  order: { symbol: string; side: Side; qty?: number; notional?: number; type: OrderType },
  orderClass: string,
  limitPrice: number | null,
  stopPrice: number | null,
): void {
  const active = book.orders.openOrders().filter((o) => o.status !== 'held');
  const wash = checkWashTrade({
    order,
    openOrders: active.map((o) => ({ symbol: o.symbol, side: o.side, id: o.id })),
  });
  if (!wash.ok) throw ruleRejection(wash);
  const pos = book.account.positions.get(order.symbol)?.qty ?? 0;
  const reduces = order.side === 'sell' ? pos > 0 : pos < 0;
  const price = book.account.price(order.symbol) ?? 0;
  const qty = order.qty ?? (order.notional ?? 0) / (limitPrice ?? (price || 1));
  if (reduces) {
    const held = book.orders.heldForOrders(order.symbol, order.side);
    const available = Math.max(0, Math.abs(pos) - held);
    if (qty > available + 1e-9) {
      throw forbidden(
        `insufficient qty available for order (requested: ${dec(qty)}, available: ${dec(available)})`,
        {
          available: dec(available),
          existing_qty: dec(Math.abs(pos)),
          held_for_orders: dec(held),
          related_orders: active
            .filter((o) => o.symbol === order.symbol && o.side === order.side)
            .map((o) => o.id),
          symbol: order.symbol,
        },
      );
    }
  } else {
    if (order.side === 'sell') {
      const asset = book.assets.get(order.symbol)!;
      const r = checkShortable({
        asset: {
          symbol: asset.symbol,
          shortable: asset.shortable,
          easyToBorrow: asset.easy_to_borrow,
          borrowStatus: asset.borrow_status,
        },
        qty: order.qty,
        notional: order.notional,
        equity: book.account.equity(),
        shortingEnabled: book.account.shortingEnabled(),
      });
      if (!r.ok) throw ruleRejection(r);
    }
    if (orderClass !== 'oco') {
      const estimate = book.account.estimatePrice(
        { symbol: order.symbol, side: order.side, limitPrice, stopPrice },
        order.side === 'sell',
      );
      const cost = order.notional ?? qty * estimate;
      const buyingPower = book.account.buyingPower();
      if (cost > buyingPower + 1e-9) {
        throw forbidden('insufficient buying power', {
          buying_power: dec(round(buyingPower, 2)),
          cost_basis: dec(round(cost, 2)),
        });
      }
    }
  }
  if (book.config.dayTradeRule === 'legacy-pdt') {
    const fills = book.account.ruleFills();
    const pdt = checkDayTradeRule('legacy-pdt', {
      equity: book.account.lastEquity,
      dayTrades: countDayTrades(fills, { now: book.clock.now(), holidays: book.clock.holidays }),
      order,
      pendingOrders: active,
      fills,
      now: book.clock.now(),
      holidays: book.clock.holidays,
    });
    if (!pdt.ok) throw ruleRejection(pdt);
  }
}
