/**
 * zod schemas for the Market Data API v2 (https://docs.alpaca.markets/reference/stockbars).
 * Market-data numbers are real JSON numbers; numeric strings are tolerated anyway.
 */
import { z } from 'zod';
import type { Bar, Quote, Trade } from '../types.js';
import { decimal, nullableDecimal, nullableString, parseTimestamp } from './primitives.js';

const time = z.string().refine((s) => Number.isFinite(parseTimestamp(s)), 'expected an RFC 3339 time');

/** One bar on the wire: `{t, o, h, l, c, v, n?, vw?}`. */
export const BarWireSchema = z.looseObject({
  t: time,
  o: decimal,
  h: decimal,
  l: decimal,
  c: decimal,
  v: decimal,
  n: nullableDecimal,
  vw: nullableDecimal,
});

/**
 * Convert a wire bar to the shared `Bar` shape (`time` = bar start, epoch ms UTC).
 * @example
 * toBar('AAPL', BarWireSchema.parse({ t: '2026-11-20T14:30:00Z', o: 1, h: 2, l: 0.5, c: 1.5, v: 100 }));
 */
export function toBar(symbol: string, w: z.output<typeof BarWireSchema>): Bar {
  return {
    symbol,
    time: parseTimestamp(w.t),
    open: w.o,
    high: w.h,
    low: w.l,
    close: w.c,
    volume: w.v,
    tradeCount: w.n,
    vwap: w.vw,
  };
}

/**
 * `GET /v2/stocks/bars` (multi-symbol): `bars` may be `{}` or `null` when empty.
 * @example
 * MultiBarsPageSchema.parse({ bars: {}, next_page_token: null });
 */
export const MultiBarsPageSchema = z.looseObject({
  bars: z.record(z.string(), z.array(BarWireSchema).nullable()).nullish(),
  next_page_token: nullableString,
});

const QuoteWireSchema = z.looseObject({
  t: time,
  ap: decimal,
  as: decimal,
  ax: nullableString,
  bp: decimal,
  bs: decimal,
  bx: nullableString,
  c: z.array(z.string()).nullish(),
  z: nullableString,
});

/**
 * `GET /v2/stocks/quotes/latest` → quotes by symbol.
 * @example
 * LatestQuotesSchema.parse({ quotes: {} }); // {}
 */
export const LatestQuotesSchema = z
  .looseObject({ quotes: z.record(z.string(), QuoteWireSchema).nullish() })
  .transform((w): Record<string, Quote> => {
    const out: Record<string, Quote> = {};
    for (const [symbol, q] of Object.entries(w.quotes ?? {}))
      out[symbol] = {
        symbol,
        time: parseTimestamp(q.t),
        timestamp: q.t,
        askPrice: q.ap,
        askSize: q.as,
        askExchange: q.ax,
        bidPrice: q.bp,
        bidSize: q.bs,
        bidExchange: q.bx,
        conditions: q.c ?? [],
        tape: q.z,
      };
    return out;
  });

const TradeWireSchema = z.looseObject({
  t: time,
  p: decimal,
  s: decimal,
  x: nullableString,
  i: nullableDecimal,
  c: z.array(z.string()).nullish(),
  z: nullableString,
});

/**
 * `GET /v2/stocks/trades/latest` → trades by symbol.
 * @example
 * LatestTradesSchema.parse({ trades: {} }); // {}
 */
export const LatestTradesSchema = z
  .looseObject({ trades: z.record(z.string(), TradeWireSchema).nullish() })
  .transform((w): Record<string, Trade> => {
    const out: Record<string, Trade> = {};
    for (const [symbol, t] of Object.entries(w.trades ?? {}))
      out[symbol] = {
        symbol,
        time: parseTimestamp(t.t),
        timestamp: t.t,
        price: t.p,
        size: t.s,
        exchange: t.x,
        id: t.i,
        conditions: t.c ?? [],
        tape: t.z,
      };
    return out;
  });
