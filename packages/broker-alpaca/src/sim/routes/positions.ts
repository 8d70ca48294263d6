/**
 * The position routes: `GET/DELETE /v2/positions` (close all: 207) and
 * `GET/DELETE /v2/positions/{symbol or asset id}` (close all or part: a market order).
 */
import { notFound } from '../rejection.js';
import { positionJson } from '../wire/account.js';
import { orderJson } from '../wire/orders.js';
import type { AreaRoutes } from './route.js';

/**
 * The position routes.
 * @example
 * positionRoutes(book, { method: 'DELETE', segments: ['positions', 'MSFT'], query, body: undefined }); // [200, order]
 */
export const positionRoutes: AreaRoutes = (book, { method, segments, query: q }) => {
  const [, symbolOrId] = segments;
  const { positions } = book.account;
  if (symbolOrId === undefined && method === 'GET')
    return [200, [...positions.values()].map((p) => positionJson(book, p))];
  if (symbolOrId === undefined && method === 'DELETE')
    return [207, book.closeAll(q.get('cancel_orders') === 'true')];
  if (symbolOrId !== undefined) {
    const symbol = decodeURIComponent(symbolOrId).toUpperCase();
    const p = positions.get(symbol) ?? [...positions.values()].find((x) => x.assetId === symbolOrId);
    if (method === 'GET') {
      if (!p) throw notFound('position does not exist');
      return [200, positionJson(book, p)];
    }
    if (method === 'DELETE') {
      const qty = q.get('qty');
      const pct = q.get('percentage');
      const order = book.closePosition(p?.symbol ?? symbol, {
        ...(qty !== null ? { qty: Number(qty) } : {}),
        ...(pct !== null ? { percentage: Number(pct) } : {}),
      });
      return [200, orderJson(order, true, book.orders.orderById)];
    }
  }
  return undefined;
};
