/**
 * `createAlpacaClient`: the Trading API v2 + Market Data v2 client. Paper by default; the
 * live host only with an explicit `env: 'live'`. Each API area lives in its own file
 * (`account.ts`, `assets.ts`, `positions.ts`, `orders.ts`, `market-data.ts`); this one
 * parses the options, resolves the URLs and puts the areas and the stream together.
 */
import { openTradeUpdateStream } from '../stream/connection.js';
import { accountApi } from './account.js';
import type { AlpacaClient } from './api.js';
import { assetsApi } from './assets.js';
import { createClientContext } from './context.js';
import { marketDataApi } from './market-data.js';
import { type AlpacaClientConfig, type AlpacaClientOptions, parseClientOptions } from './options.js';
import { ordersApi } from './orders.js';
import { positionsApi } from './positions.js';
import { resolveUrls } from './urls.js';

/**
 * Create an Alpaca client. Paper unless `env: 'live'` is given.
 * @example
 * const alpaca = createAlpacaClient({ keyId, secretKey }); // paper
 * const account = await alpaca.getAccount();
 * const order = await alpaca.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit', limitPrice: 190 });
 */
export function createAlpacaClient(options: AlpacaClientOptions): AlpacaClient {
  const parsed = parseClientOptions(options);
  const urls = resolveUrls(parsed.env, parsed, [parsed.keyId, parsed.secretKey]);
  const config: AlpacaClientConfig = {
    env: parsed.env,
    ...urls,
    timeoutMs: parsed.timeoutMs,
    retry: parsed.retry,
    rateLimit: parsed.rateLimit,
    feed: parsed.feed,
    stream: parsed.stream,
  };
  const ctx = createClientContext(parsed, urls);
  const client: AlpacaClient = {
    config,
    ...accountApi(ctx),
    ...assetsApi(ctx),
    ...positionsApi(ctx),
    ...ordersApi(ctx),
    ...marketDataApi(ctx),
    streamTradeUpdates(onUpdate, streamOptions = {}) {
      return openTradeUpdateStream(
        {
          url: urls.streamUrl,
          keyId: parsed.keyId,
          secretKey: parsed.secretKey,
          logger: parsed.logger,
          now: ctx.now,
          settings: parsed.stream,
          listOrders: (q) => client.listOrders(q),
          getOrder: (id) => client.getOrder(id, { nested: false }),
          serverNow: async () => (await client.getClock()).timestampMs,
        },
        onUpdate,
        streamOptions,
      );
    },
  };
  return client;
}
