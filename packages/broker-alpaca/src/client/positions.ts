/**
 * The positions area: list, get, and close one (`DELETE /v2/positions/{symbol}`, an order)
 * or all (`DELETE /v2/positions`, a 207 answer).
 */
import { z } from 'zod';
import { AlpacaError } from '../errors.js';
import type { RequestSpec } from '../http.js';
import { toDecimalString } from '../schemas/primitives.js';
import { OrderSchema, PositionSchema } from '../schemas/trading.js';
import type { PositionsApi } from './api.js';
import type { ClientContext } from './context.js';

/**
 * The position methods of the client.
 * @example
 * const { closePosition } = positionsApi(ctx);
 * await closePosition('MSFT', { percentage: 50 });
 */
export function positionsApi(ctx: ClientContext): PositionsApi {
  const { get, trading, parseBody, multiStatus } = ctx;
  return {
    listPositions: () => get(z.array(PositionSchema), { path: '/v2/positions' }),
    getPosition: (symbol) => get(PositionSchema, { path: `/v2/positions/${encodeURIComponent(symbol)}` }),
    async closePosition(symbol, opts = {}) {
      if (opts.qty !== undefined && opts.percentage !== undefined)
        throw new AlpacaError('UNPROCESSABLE', 'closePosition: give qty or percentage, not both', {
          field: 'qty',
        });
      const spec: RequestSpec = {
        method: 'DELETE',
        path: `/v2/positions/${encodeURIComponent(symbol)}`,
        query: {
          qty: opts.qty === undefined ? undefined : toDecimalString(opts.qty),
          percentage: opts.percentage === undefined ? undefined : toDecimalString(opts.percentage),
        },
      };
      const { body } = await trading.request(spec);
      return parseBody(OrderSchema, body, spec);
    },
    async closeAllPositions(opts = {}) {
      const spec: RequestSpec = {
        method: 'DELETE',
        path: '/v2/positions',
        query: { cancel_orders: opts.cancelOrders ?? true },
      };
      return multiStatus(await trading.request(spec), spec);
    },
  };
}
