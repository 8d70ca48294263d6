/**
 * The orders area: submit and replace (idempotent, see `place-once.ts`), get by id or client
 * id, list, cancel one or all.
 */
import { z } from 'zod';
import { AlpacaError } from '../errors.js';
import type { RequestSpec } from '../http.js';
import { buildOrderBody, buildReplaceBody, type OrderBody, type ReplaceBody } from '../orders.js';
import { OrderSchema } from '../schemas/trading.js';
import type { Order } from '../types.js';
import type { OrdersApi } from './api.js';
import type { ClientContext } from './context.js';
import { placeOnce } from './place-once.js';

const orderList = z.array(OrderSchema);
const isoTime = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);

/**
 * The order methods of the client.
 * @example
 * const { submitOrder } = ordersApi(ctx);
 * await submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit', limitPrice: 190 });
 */
export function ordersApi(ctx: ClientContext): OrdersApi {
  const { get, trading, multiStatus, generateClientOrderId } = ctx;

  async function getOrderByClientId(clientOrderId: string): Promise<Order> {
    return get(OrderSchema, {
      path: '/v2/orders:by_client_order_id',
      query: { client_order_id: clientOrderId },
    });
  }

  const getOrder: OrdersApi['getOrder'] = (id, opts = {}) =>
    get(OrderSchema, {
      path: `/v2/orders/${encodeURIComponent(id)}`,
      query: { nested: opts.nested ?? true },
    });

  return {
    async submitOrder(input) {
      const body: OrderBody = buildOrderBody(input, generateClientOrderId);
      return placeOnce(ctx, {
        spec: { method: 'POST', path: '/v2/orders', body },
        clientOrderId: body.client_order_id,
        check: (order) => {
          if (order.symbol.toUpperCase() !== body.symbol || order.side !== body.side)
            throw new AlpacaError(
              'UNPROCESSABLE',
              `client order id ${body.client_order_id} already belongs to a different order (${order.side} ${order.symbol})`,
              { field: 'clientOrderId', clientOrderId: body.client_order_id },
            );
        },
        getByClientId: getOrderByClientId,
      });
    },
    getOrder,
    getOrderByClientId,
    listOrders: (query = {}) =>
      get(orderList, {
        path: '/v2/orders',
        query: {
          status: query.status,
          limit: query.limit,
          after: query.after === undefined ? undefined : isoTime(query.after),
          until: query.until === undefined ? undefined : isoTime(query.until),
          direction: query.direction,
          nested: query.nested ?? true,
          symbols: query.symbols,
          side: query.side,
        },
      }),
    async cancelOrder(id) {
      const spec: RequestSpec = { method: 'DELETE', path: `/v2/orders/${encodeURIComponent(id)}` };
      try {
        await trading.request(spec);
      } catch (e) {
        // A retried DELETE can find the order already canceled by the first attempt.
        if (e instanceof AlpacaError && e.code === 'UNPROCESSABLE') {
          const order = await getOrder(id).catch(() => null);
          if (order && (order.status === 'canceled' || order.status === 'pending_cancel')) return;
        }
        throw e;
      }
    },
    async cancelAllOrders() {
      const spec: RequestSpec = { method: 'DELETE', path: '/v2/orders' };
      return multiStatus(await trading.request(spec), spec);
    },
    async replaceOrder(id, patch) {
      const body: ReplaceBody = buildReplaceBody(patch, generateClientOrderId);
      return placeOnce(ctx, {
        spec: { method: 'PATCH', path: `/v2/orders/${encodeURIComponent(id)}`, body },
        clientOrderId: body.client_order_id,
        check: () => undefined,
        getByClientId: getOrderByClientId,
      });
    },
  };
}
