/** `GET /v2/assets` (optionally by `status`) and `GET /v2/assets/{symbol or id}`. */
import { notFound } from '../rejection.js';
import type { AreaRoutes } from './route.js';

/**
 * The asset routes.
 * @example
 * assetRoutes(book, { method: 'GET', segments: ['assets', 'MSFT'], query, body: undefined }); // [200, asset]
 */
export const assetRoutes: AreaRoutes = (book, { method, segments, query }) => {
  if (method !== 'GET') return undefined;
  const [, symbolOrId] = segments;
  if (symbolOrId === undefined) {
    const status = query.get('status');
    return [200, [...book.assets.values()].filter((x) => !status || x.status === status)];
  }
  const asset =
    book.assets.get(decodeURIComponent(symbolOrId).toUpperCase()) ??
    [...book.assets.values()].find((x) => x.id === symbolOrId);
  if (!asset) throw notFound('asset not found');
  return [200, asset];
};
