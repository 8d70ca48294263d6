/**
 * The REST router of the paper exchange: `/v2/<area>/…` goes to that API area's routes;
 * anything else is Alpaca's 404 `endpoint not found`.
 */
import type { PaperBook } from '../exchange.js';
import { notFound } from '../rejection.js';
import { accountRoutes } from './account.js';
import { assetRoutes } from './assets.js';
import { clockRoutes } from './clock.js';
import { marketDataRoutes } from './market-data.js';
import { orderRoutes } from './orders.js';
import { positionRoutes } from './positions.js';
import type { AreaRoutes, RouteResult } from './route.js';

/** The first path segment after `/v2` → its API area. */
const AREAS = new Map<string, AreaRoutes>([
  ['account', accountRoutes],
  ['clock', clockRoutes],
  ['calendar', clockRoutes],
  ['assets', assetRoutes],
  ['orders', orderRoutes],
  ['orders:by_client_order_id', orderRoutes],
  ['positions', positionRoutes],
  // Market data (data.alpaca.markets paths).
  ['stocks', marketDataRoutes],
]);

/**
 * Answer one REST request; a refused one throws the `Rejection` to send.
 * @example
 * route(book, 'GET', '/v2/account', new URLSearchParams(), undefined); // [200, { id, cash, … }]
 */
export function route(
  book: PaperBook,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): RouteResult {
  const seg = path
    .split('/')
    .filter(Boolean)
    .map((x) => {
      try {
        return decodeURIComponent(x);
      } catch {
        return x;
      }
    });
  if (seg[0] !== 'v2') throw notFound('endpoint not found');
  const segments = seg.slice(1);
  const area = segments[0] === undefined ? undefined : AREAS.get(segments[0]);
  const result = area?.(book, { method, segments, query, body });
  if (result === undefined) throw notFound('endpoint not found');
  return result;
}
