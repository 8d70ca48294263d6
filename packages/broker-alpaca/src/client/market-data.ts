/**
 * The market-data area (the data host): bars across every page, latest quotes and trades.
 */
import { AlpacaError } from '../errors.js';
import type { RequestSpec } from '../http.js';
import {
  LatestQuotesSchema,
  LatestTradesSchema,
  MultiBarsPageSchema,
  toBar,
} from '../schemas/market-data.js';
import type { Bar } from '../types.js';
import type { MarketDataApi } from './api.js';
import type { ClientContext } from './context.js';

const TIMEFRAME_RE =
  /^(?:([1-9]|[1-5]\d)(?:Min|T)|([1-9]|1\d|2[0-3])(?:Hour|H)|1(?:Day|D)|1(?:Week|W)|(?:1|2|3|4|6|12)(?:Month|M))$/;

const isoTime = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);

/**
 * The market-data methods of the client.
 * @example
 * const { getBars } = marketDataApi(ctx);
 * await getBars({ symbols: ['MSFT'], timeframe: '1Day', start: '2026-01-02', end: '2026-01-30' });
 */
export function marketDataApi(ctx: ClientContext): MarketDataApi {
  const { get, data, parseBody, options } = ctx;
  return {
    async getBars(query) {
      if (!Array.isArray(query?.symbols) || query.symbols.length === 0)
        throw new AlpacaError('UNPROCESSABLE', 'getBars: symbols must be a non-empty array', {
          field: 'symbols',
        });
      if (typeof query.timeframe !== 'string' || !TIMEFRAME_RE.test(query.timeframe))
        throw new AlpacaError(
          'UNPROCESSABLE',
          `getBars: timeframe ${JSON.stringify(query.timeframe)} is not valid (e.g. 1Min, 5Min, 1Hour, 1Day, 1Week, 1Month)`,
          { field: 'timeframe' },
        );
      if (query.start === undefined || query.end === undefined)
        throw new AlpacaError('UNPROCESSABLE', 'getBars: start and end are required', {
          field: query.start === undefined ? 'start' : 'end',
        });
      const bySymbol = new Map<string, Bar[]>();
      const seenTokens = new Set<string>();
      let token: string | null = null;
      do {
        const spec: RequestSpec = {
          method: 'GET',
          path: '/v2/stocks/bars',
          query: {
            symbols: query.symbols,
            timeframe: query.timeframe,
            start: isoTime(query.start),
            end: isoTime(query.end),
            limit: query.limit ?? 10_000,
            adjustment: query.adjustment ?? 'raw',
            feed: query.feed ?? options.feed,
            sort: 'asc',
            page_token: token ?? undefined,
          },
        };
        const { body } = await data.request(spec);
        const page = parseBody(MultiBarsPageSchema, body, spec);
        for (const [symbol, bars] of Object.entries(page.bars ?? {})) {
          let list = bySymbol.get(symbol);
          if (!list) bySymbol.set(symbol, (list = []));
          for (const b of bars ?? []) list.push(toBar(symbol, b));
        }
        token = page.next_page_token;
        if (token !== null) {
          if (seenTokens.has(token))
            throw data.error(
              'BAD_RESPONSE',
              `GET /v2/stocks/bars: next_page_token repeated (${token}); stopping`,
              {
                request: 'GET /v2/stocks/bars',
              },
            );
          seenTokens.add(token);
        }
      } while (token !== null);
      const out: Bar[] = [];
      for (const symbol of [...bySymbol.keys()].sort()) {
        const list = (bySymbol.get(symbol) ?? []).sort((a, b) => a.time - b.time);
        for (let i = 0; i < list.length; i++) {
          // Drop a bar repeated across a page boundary.
          if (i > 0 && list[i]?.time === list[i - 1]?.time) continue;
          out.push(list[i] as Bar);
        }
      }
      return out;
    },
    getLatestQuotes: (symbols, opts = {}) =>
      get(
        LatestQuotesSchema,
        { path: '/v2/stocks/quotes/latest', query: { symbols, feed: opts.feed ?? options.feed } },
        data,
      ),
    getLatestTrades: (symbols, opts = {}) =>
      get(
        LatestTradesSchema,
        { path: '/v2/stocks/trades/latest', query: { symbols, feed: opts.feed ?? options.feed } },
        data,
      ),
  };
}
