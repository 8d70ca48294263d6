/**
 * Plain data shapes returned by the client and the CSV reader. `Bar` is the
 * project-wide shape (architecture.md), declared here structurally so this package
 * imports no other MARLTS package.
 */

/** One OHLCV bar. `time` is the bar START in ms since the epoch, UTC. */
export interface Bar {
  symbol: string;
  /** Bar start, ms since 1970-01-01T00:00:00Z. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Intraday bar sizes EODHD serves, with their maximum span per request. */
export type IntradayInterval = '1m' | '5m' | '1h';

/** A point in time: a `Date`, an ISO-8601 string, or ms since the epoch. */
export type TimeInput = Date | string | number;

/**
 * An end-of-day bar. `time` is the trading date at 00:00 UTC; `open/high/low/close`
 * are raw (not adjusted); `adjustedClose` is adjusted for splits and dividends and is
 * `null` when EODHD sent none.
 */
export interface EodBar extends Bar {
  /** The exchange's trading date, `YYYY-MM-DD`. */
  date: string;
  /** Close adjusted for splits and dividends (as of the fetch), or `null` when missing. */
  adjustedClose: number | null;
}

/** A stock split. `ratio` = new/old shares: 4 for a 4-for-1, 0.05 for a 1-for-20. */
export interface Split {
  symbol: string;
  /** Effective date, `YYYY-MM-DD`. */
  date: string;
  /** The date at 00:00 UTC in ms. */
  time: number;
  ratio: number;
  /** EODHD's text, e.g. `"4.000000/1.000000"`. */
  text: string;
}

/** A cash dividend. `date` is the ex-date. Optional dates are `null` when unknown. */
export interface Dividend {
  symbol: string;
  /** Ex-dividend date, `YYYY-MM-DD`. */
  date: string;
  /** The ex-date at 00:00 UTC in ms. */
  time: number;
  /** Split-adjusted amount per share. */
  value: number;
  /** Amount as paid, or `null` when EODHD sent none. */
  unadjustedValue: number | null;
  currency: string | null;
  declarationDate: string | null;
  recordDate: string | null;
  paymentDate: string | null;
  period: string | null;
}

/** One ticker of an exchange's symbol list. `symbol` is ready to use (`CODE.EXCHANGE`). */
export interface ExchangeSymbol {
  /** `CODE.EXCHANGE`, e.g. `AAPL.US`. */
  symbol: string;
  code: string;
  name: string;
  country: string | null;
  /** Venue, e.g. `NASDAQ`, `NYSE ARCA`. */
  exchange: string | null;
  currency: string | null;
  /** e.g. `Common Stock`, `ETF`. */
  type: string | null;
  isin: string | null;
}
