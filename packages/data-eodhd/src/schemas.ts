/**
 * zod schemas for every EODHD response the client reads (api-contracts.md B2–B8).
 * Lenient where EODHD is loose: numeric fields accept numbers, numeric strings,
 * `"NA"`, `""` and `null` (the last three become `null`, never a made-up number);
 * unknown keys are ignored. Strict where a wrong value would give wrong bars.
 */
import { z } from 'zod';
import { EodhdError } from './errors.js';

/** A number, or `null` for `null` / `"NA"` / `""` / missing. Other strings are an error. */
export const nullableNumber = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((value, ctx): number | null => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    const text = value.trim();
    if (text === '' || /^(na|n\/a|null|nan)$/i.test(text)) return null;
    const n = Number(text);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `expected a number or "NA", got "${value}"` });
      return z.NEVER;
    }
    return n;
  });

/** A string, or `null` for `null` / `""` / `"NA"` / missing. */
export const nullableString = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null || v === '' || v === 'NA' ? null : v));

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

/** `/api/intraday/{SYMBOL}` row. `timestamp` = bar start in Unix seconds; `datetime` is UTC without a zone. */
export const intradayRowSchema = z.object({
  timestamp: nullableNumber,
  gmtoffset: nullableNumber,
  datetime: nullableString,
  open: nullableNumber,
  high: nullableNumber,
  low: nullableNumber,
  close: nullableNumber,
  volume: nullableNumber,
});
/** An intraday row after validation (fields may be absent when EODHD left them out). */
export interface IntradayRow {
  timestamp?: number | null;
  datetime?: string | null;
  open?: number | null;
  high?: number | null;
  low?: number | null;
  close?: number | null;
  volume?: number | null;
}

// The common, clean case (numbers and nulls only) is validated by a plain schema that
// zod runs ~8× faster than the lenient unions: a year of 1m bars is ~100k rows.
const plainNumber = z.number().nullable().optional();
const intradayRowsPlainSchema = z.array(
  z.object({
    timestamp: plainNumber,
    datetime: z.string().nullable().optional(),
    open: plainNumber,
    high: plainNumber,
    low: plainNumber,
    close: plainNumber,
    volume: plainNumber,
  }),
);
const intradayRowsSchema = z.array(intradayRowSchema);

/**
 * Validates an intraday body: the fast plain schema first, the lenient one (`"NA"`,
 * numeric strings, CSV cells) when that fails; errors come from the lenient one.
 *
 * @example
 * parseIntradayRows([{ timestamp: 1795012200, open: 1, high: 1, low: 1, close: 1, volume: null }], 'intraday/AAPL.US');
 */
export function parseIntradayRows(body: unknown, what: string): IntradayRow[] {
  const plain = intradayRowsPlainSchema.safeParse(body);
  return plain.success ? plain.data : parseBody(intradayRowsSchema, body, what);
}

/** Like {@link parseIntradayRows}, but returns `undefined` instead of throwing (cache reads). */
export function tryParseIntradayRows(body: unknown): IntradayRow[] | undefined {
  const plain = intradayRowsPlainSchema.safeParse(body);
  if (plain.success) return plain.data;
  const lenient = intradayRowsSchema.safeParse(body);
  return lenient.success ? lenient.data : undefined;
}

/** `/api/eod/{SYMBOL}` row: raw OHLC plus `adjusted_close` (splits + dividends). */
export const eodRowSchema = z.object({
  date: isoDate,
  open: nullableNumber,
  high: nullableNumber,
  low: nullableNumber,
  close: nullableNumber,
  adjusted_close: nullableNumber,
  volume: nullableNumber,
});
export type EodRow = z.output<typeof eodRowSchema>;

/** `/api/splits/{SYMBOL}` row; `split` is `"new/old"`, e.g. `"4.000000/1.000000"`. */
export const splitRowSchema = z.object({
  date: isoDate,
  split: z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*\/\s*\d+(\.\d+)?\s*$/, 'expected "new/old", e.g. "4.000000/1.000000"'),
});
export type SplitRow = z.output<typeof splitRowSchema>;

/** `/api/div/{SYMBOL}` row; `date` is the ex-date, `value` split-adjusted. */
export const dividendRowSchema = z.object({
  date: isoDate,
  value: nullableNumber,
  unadjustedValue: nullableNumber,
  currency: nullableString,
  declarationDate: nullableString,
  recordDate: nullableString,
  paymentDate: nullableString,
  period: nullableString,
});
export type DividendRow = z.output<typeof dividendRowSchema>;

/** `/api/exchange-symbol-list/{EXCHANGE}` row (PascalCase keys). */
export const exchangeSymbolRowSchema = z.object({
  Code: z.string().min(1),
  Name: nullableString,
  Country: nullableString,
  Exchange: nullableString,
  Currency: nullableString,
  Type: nullableString,
  Isin: nullableString,
});
export type ExchangeSymbolRow = z.output<typeof exchangeSymbolRowSchema>;

/** `/api/eod-bulk-last-day/{EXCHANGE}` row (type=eod); `code` has no exchange suffix. */
export const bulkEodRowSchema = eodRowSchema.extend({
  code: z.string().min(1),
  exchange_short_name: nullableString,
});
export type BulkEodRow = z.output<typeof bulkEodRowSchema>;

/** `/api/user` (quota check). */
export const userSchema = z.object({
  apiRequests: nullableNumber,
  dailyRateLimit: nullableNumber,
  extraLimit: nullableNumber,
  apiRequestsDate: nullableString,
  subscriptionType: nullableString,
});
export type UserRow = z.output<typeof userSchema>;

/**
 * Parses a response body with `schema`, or throws `BAD_RESPONSE` naming the first
 * bad field (e.g. `[12].close`) and the endpoint.
 *
 * @example
 * const rows = parseBody(z.array(eodRowSchema), body, 'eod/AAPL.US');
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = formatPath(issue?.path ?? []);
  const got = describe(body);
  throw new EodhdError(
    'BAD_RESPONSE',
    `${what}: unexpected response at ${field || '(root)'}: ${issue?.message ?? 'invalid'}${got}`,
    { field: field || '(root)' },
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function describe(body: unknown): string {
  if (Array.isArray(body)) return '';
  if (body !== null && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const msg = o['error'] ?? o['message'] ?? o['errors'];
    if (msg !== undefined) return ` (server said: ${String(JSON.stringify(msg)).slice(0, 200)})`;
  }
  return '';
}
