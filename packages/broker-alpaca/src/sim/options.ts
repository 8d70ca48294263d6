/**
 * Options of the paper exchange, validated with zod at the boundary. Defaults
 * live in the schema; `exchange.config` reads the parsed values back.
 */
import { z } from 'zod';
import { AlpacaError } from '../errors.js';
import type { BaseBar } from '../types.js';

/**
 * A bar (the shape shared by the MARLTS packages): `time` is the bar START in
 * UTC epoch ms. Daily bars may be stamped at midnight New York (Alpaca's
 * convention), midnight UTC or the open; the session date is read from them.
 * Close-only data sets repeat the close in open/high/low and put volume 0.
 */
export type Bar = BaseBar;

const barSchema = z.object({
  symbol: z.string().min(1),
  time: z.number().finite(),
  open: z.number().finite().positive(),
  high: z.number().finite().positive(),
  low: z.number().finite().positive(),
  close: z.number().finite().positive(),
  volume: z.number().finite().nonnegative(),
});

const assetSchema = z.object({
  symbol: z.string().min(1),
  name: z.string().optional(),
  exchange: z.string().optional(),
  status: z.enum(['active', 'inactive']).optional(),
  tradable: z.boolean().optional(),
  marginable: z.boolean().optional(),
  shortable: z.boolean().optional(),
  easy_to_borrow: z.boolean().optional(),
  borrow_status: z.enum(['easy_to_borrow', 'hard_to_borrow']).optional(),
  fractionable: z.boolean().optional(),
});

/** Per-symbol asset flags; anything not given defaults to a plain, shortable, fractionable NASDAQ stock. */
export type SimAssetInput = z.input<typeof assetSchema>;

const faultSchema = z.object({
  kind: z.enum(['429', '500', 'reset', 'drop-after-accept', 'slow', 'ws-disconnect']),
  /** HTTP method to match (any when absent). */
  method: z.string().optional(),
  /** Path prefix to match, e.g. `/v2/orders` (any when absent). The query string is not part of it. */
  path: z.string().optional(),
  /** How many matching requests (or, for `ws-disconnect`, stream events) it applies to. */
  times: z.number().int().positive().default(1),
  /** `slow`: how long to wait before handling the request. */
  delayMs: z.number().nonnegative().default(1_000),
  /** `429`: the `Retry-After` header (seconds). */
  retryAfterSeconds: z.number().int().nonnegative().default(1),
  /** `ws-disconnect`: let this many events through first. */
  afterEvents: z.number().int().nonnegative().default(0),
});

/**
 * One injected fault.
 * - `429`: answer 429 with `Retry-After` and `X-RateLimit-*` headers, nothing executed.
 * - `500`: answer 500, nothing executed.
 * - `reset`: destroy the connection before handling (nothing executed).
 * - `drop-after-accept`: handle the request fully (an order is stored and announced)
 *   then destroy the connection without answering; a client must reconcile by
 *   `client_order_id`.
 * - `slow`: wait `delayMs` before handling.
 * - `ws-disconnect`: terminate every `trade_updates` socket instead of sending the
 *   next event (after `afterEvents` events); that event is lost, as on Alpaca.
 */
export type SimFault = z.input<typeof faultSchema>;
export type ParsedSimFault = z.output<typeof faultSchema>;

export const faultsSchema = z.array(faultSchema);

export const paperExchangeOptionsSchema = z.object({
  /** TCP port; 0 picks a free one. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** Interface to listen on; loopback by default. */
  host: z.string().default('127.0.0.1'),
  /** The bar feed, as one list or a map symbol → bars. Sorted by the exchange. */
  bars: z.union([z.array(barSchema), z.record(z.string(), z.array(barSchema))]).default([]),
  /** Starting cash (USD). */
  initialCash: z.number().finite().positive().default(100_000),
  /** Asset flags per symbol (shortable, easy_to_borrow / borrow_status, fractionable …). */
  assets: z.array(assetSchema).default([]),
  /** Day-trading regime applied to every new order. */
  dayTradeRule: z.enum(['intraday-margin', 'legacy-pdt']).default('intraday-margin'),
  /** Account multiplier: 1 = cash account (no shorts), 2 = RegT margin, 4 = intraday margin. */
  marginMultiplier: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(2),
  /** An order fills at most this share of a bar's volume per bar (rest stays open). Volume 0 = unlimited. */
  maxVolumeShare: z.number().gt(0).max(1).default(0.1),
  /** Fee on every fill in basis points of its notional, taken from cash (Alpaca charges none on equities). */
  feeBps: z.number().nonnegative().default(0),
  /** Auto-advance this many bars per second (0 = only `advance()` moves time). */
  speed: z.number().nonnegative().default(0),
  /** Requests per minute before 429 (Alpaca: 200); 0 turns the limiter off. Headers are always sent. */
  rateLimitPerMinute: z.number().int().nonnegative().default(200),
  /** Send `trade_updates` as binary frames as Alpaca's paper endpoint does (false: text). */
  binaryFrames: z.boolean().default(true),
  /** Account refuses shorts (`no_shorting` configuration). */
  noShorting: z.boolean().default(false),
  /**
   * What order and event timestamps (`created_at`, `filled_at`, trade update `timestamp` …) show:
   * `replay` (default) the replay clock, so fills line up with the bars; `wall` the real clock,
   * as a live paper account would (for clients that reconcile with `after=<local time>`).
   * `/v2/clock`, sessions, day-order expiry and the day-trade rule always follow the replay.
   */
  timestamps: z.enum(['replay', 'wall']).default('replay'),
  /** Faults active from the start. */
  faults: faultsSchema.default([]),
});

/** Options of {@link startPaperExchange}. */
export type PaperExchangeOptions = z.input<typeof paperExchangeOptionsSchema>;
/** The parsed options with defaults filled in. */
export type PaperExchangeConfig = z.output<typeof paperExchangeOptionsSchema>;

/** Parse with zod and throw an `AlpacaError('CONFIG')` that names the field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new AlpacaError('CONFIG', `${what}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, {
    field: field || undefined,
  });
}
