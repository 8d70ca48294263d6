/**
 * The order routes: `POST/GET/DELETE /v2/orders`, `GET/PATCH/DELETE /v2/orders/{id}` and
 * `GET /v2/orders:by_client_order_id`.
 */
import type { ListOrdersQuery } from '../model.js';
import { Rejection } from '../rejection.js';
import { orderJson } from '../wire/orders.js';
import type { AreaRoutes } from './route.js';

/** The query of `GET /v2/orders`, times parsed (400 naming a bad `after` / `until`). */
function listQuery(q: URLSearchParams): ListOrdersQuery {
  const t = (name: string) => {
    const v = q.get(name);
    if (v === null) return undefined;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new Rejection(422, { code: 40010001, message: `invalid ${name}` });
    return ms;
  };
  const direction = q.get('direction');
  return {
    ...(q.get('status') !== null ? { status: q.get('status')! } : {}),
    ...(q.get('limit') !== null ? { limit: Number(q.get('limit')) } : {}),
    ...(t('after') !== undefined ? { after: t('after')! } : {}),
    ...(t('until') !== undefined ? { until: t('until')! } : {}),
    ...(direction === 'asc' || direction === 'desc' ? { direction } : {}),
    nested: q.get('nested') === 'true',
    ...(q.get('symbols')
      ? {
          symbols: q
            .get('symbols')!
            .split(',')
            .map((s) => s.trim().toUpperCase()),
        }
      : {}),
    ...(q.get('side') ? { side: q.get('side')! } : {}),
  };
}

/**
 * The order routes.
 * @example
 * orderRoutes(book, { method: 'POST', segments: ['orders'], query, body: { symbol: 'MSFT', … } }); // [200, order]
 */
export const orderRoutes: AreaRoutes = (book, { method, segments, query: q, body }) => {
  const [resource, id] = segments;
  const { orders } = book;
  const json = (o: Parameters<typeof orderJson>[0], nested = true) => orderJson(o, nested, orders.orderById);
  if (resource === 'orders:by_client_order_id') {
    if (method !== 'GET') return undefined;
    return [200, json(orders.getByClientOrderId(q.get('client_order_id') ?? ''), true)];
  }
  if (id === undefined && method === 'POST')
    return [200, json(book.submitOrder(body as Record<string, unknown>))];
  if (id === undefined && method === 'GET') {
    const nested = q.get('nested') === 'true';
    return [200, orders.listOrders(listQuery(q)).map((o) => json(o, nested))];
  }
  if (id === undefined && method === 'DELETE') return [207, orders.cancelAll()];
  if (id !== undefined && method === 'GET')
    return [200, json(orders.getOrder(id), q.get('nested') === 'true')];
  if (id !== undefined && method === 'DELETE') {
    orders.cancelOrder(id);
    return [204, undefined];
  }
  if (id !== undefined && method === 'PATCH') {
    return [200, json(book.replaceOrder(id, (body ?? {}) as Record<string, unknown>))];
  }
  return undefined;
};
