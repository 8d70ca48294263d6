/** The assets area: `GET /v2/assets` and `GET /v2/assets/{symbol}`. */
import { z } from 'zod';
import { AssetSchema } from '../schemas/trading.js';
import type { AssetsApi } from './api.js';
import type { ClientContext } from './context.js';

/**
 * The asset methods of the client.
 * @example
 * const { getAsset } = assetsApi(ctx);
 * (await getAsset('MSFT')).canOpenShort;
 */
export function assetsApi(ctx: ClientContext): AssetsApi {
  const { get } = ctx;
  return {
    listAssets: (query = {}) =>
      get(z.array(AssetSchema), {
        path: '/v2/assets',
        query: {
          status: query.status,
          asset_class: query.assetClass,
          exchange: query.exchange,
          attributes: query.attributes,
        },
      }),
    getAsset: (symbol) => get(AssetSchema, { path: `/v2/assets/${encodeURIComponent(symbol)}` }),
  };
}
