/**
 * Deterministic, realistic-looking market data for the fake EODHD server. Every
 * value is a pure function of (symbol, time), so any window of any size returns the
 * same bars for the same instants — which is what makes windowing testable. Raw
 * prices jump at splits the way EODHD's raw OHLC do; `adjusted_close` does not.
 */
import type { IntradayInterval } from '../types.js';

const DAY = 86_400;
/** Interval → bar length in seconds. */
export const INTERVAL_SECONDS: Readonly<Record<IntradayInterval, number>> = {
  '1m': 60,
  '5m': 300,
  '1h': 3600,
};

/** Splits the fake knows about (real dates), as EODHD writes them. */
export const KNOWN_SPLITS: Readonly<Record<string, readonly { date: string; split: string }[]>> = {
  'AAPL.US': [
    { date: '2014-06-09', split: '7.000000/1.000000' },
    { date: '2020-08-31', split: '4.000000/1.000000' },
  ],
  'TSLA.US': [
    { date: '2020-08-31', split: '5.000000/1.000000' },
    { date: '2022-08-25', split: '3.000000/1.000000' },
  ],
  'NVDA.US': [{ date: '2024-06-10', split: '10.000000/1.000000' }],
  'GE.US': [{ date: '2021-08-02', split: '1.000000/8.000000' }],
};

/** A 32-bit hash of a string and a number (FNV-1a + a final mix). */
export function hash32(text: string, n = 0): number {
  let h = 0x811c9dc5 ^ (n | 0) ^ Math.floor(n / 4294967296);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform in [-1, 1) from (symbol, t). */
function noise(symbol: string, t: number): number {
  return hash32(symbol, t) / 2147483648 - 1;
}

const splitsOf = (symbol: string) =>
  (KNOWN_SPLITS[symbol] ?? []).map((s) => {
    const [a, b] = s.split.split('/').map(Number) as [number, number];
    return { at: Date.parse(`${s.date}T00:00:00Z`) / 1000, ratio: a / b };
  });

/** Product of the ratios of splits effective after `t` (raw = adjusted × this). */
function splitFactor(symbol: string, t: number): number {
  let f = 1;
  for (const s of splitsOf(symbol)) if (s.at > t) f *= s.ratio;
  return f;
}

/** Split-adjusted price level at Unix second `t`. */
function adjustedPrice(symbol: string, t: number): number {
  const h = hash32(symbol);
  const base = 20 + (h % 380);
  const year = 365.25 * DAY;
  const phase = (h % 1000) / 159;
  const log =
    Math.log(base) +
    0.25 * Math.sin((2 * Math.PI * t) / year + phase) +
    0.06 * Math.sin((2 * Math.PI * t) / (29 * DAY) + 2 * phase) +
    0.01 * Math.sin((2 * Math.PI * t) / (DAY / 3) + 3 * phase) +
    0.0015 * noise(symbol, t);
  return Math.exp(log);
}

const decimals = (symbol: string) => (symbol.endsWith('.FOREX') ? 5 : symbol.endsWith('.CC') ? 2 : 2);
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** True when the instrument trades at Unix second `t` (US: weekdays 14:30–21:00 UTC; FOREX: weekdays; CC: always). */
export function isTrading(symbol: string, t: number): boolean {
  const day = new Date(t * 1000).getUTCDay();
  if (symbol.endsWith('.CC')) return true;
  if (day === 0 || day === 6) return false;
  if (symbol.endsWith('.FOREX')) return true;
  const s = t % DAY;
  return s >= 14.5 * 3600 && s < 21 * 3600;
}

/** One intraday row in EODHD's JSON shape. */
export interface FakeIntradayRow {
  timestamp: number | string | null;
  gmtoffset: number;
  datetime: string;
  open: number | string | null;
  high: number | string | null;
  low: number | string | null;
  close: number | string | null;
  volume: number | string | null;
}

/** Intraday rows with `from ≤ timestamp ≤ to` (Unix seconds), ascending. */
export function generateIntradayRows(
  symbol: string,
  interval: IntradayInterval,
  from: number,
  to: number,
): FakeIntradayRow[] {
  const step = INTERVAL_SECONDS[interval];
  const rows: FakeIntradayRow[] = [];
  const d = decimals(symbol);
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    if (!isTrading(symbol, t)) {
      // Jump to the next trading instant quickly on nights and weekends.
      if (!symbol.endsWith('.FOREX') && !symbol.endsWith('.CC') && t % DAY >= 21 * 3600)
        t = Math.ceil((t - (t % DAY) + DAY + 14.5 * 3600) / step) * step - step;
      continue;
    }
    const f = splitFactor(symbol, t);
    const open = adjustedPrice(symbol, t) * f;
    const close = adjustedPrice(symbol, t + step) * f;
    const wiggle = 1 + 0.0008 * Math.abs(noise(symbol, t + 7));
    rows.push({
      timestamp: t,
      gmtoffset: 0,
      datetime: new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' '),
      open: round(open, d),
      high: round(Math.max(open, close) * wiggle, d),
      low: round(Math.min(open, close) / wiggle, d),
      close: round(close, d),
      volume: 200 + (hash32(symbol, t + 3) % 40_000) * (step / 60),
    });
  }
  return rows;
}

/** One EOD row in EODHD's JSON shape. */
export interface FakeEodRow {
  date: string;
  open: number | string | null;
  high: number | string | null;
  low: number | string | null;
  close: number | string | null;
  adjusted_close: number | string | null;
  volume: number | string | null;
}

/** Daily rows for weekdays in `[fromDate, toDate]` (`YYYY-MM-DD`), ascending. */
export function generateEodRows(symbol: string, fromDate: string, toDate: string): FakeEodRow[] {
  const rows: FakeEodRow[] = [];
  const d = decimals(symbol);
  const end = Date.parse(`${toDate}T00:00:00Z`) / 1000;
  for (let day = Date.parse(`${fromDate}T00:00:00Z`) / 1000; day <= end; day += DAY) {
    const weekday = new Date(day * 1000).getUTCDay();
    if (!symbol.endsWith('.CC') && (weekday === 0 || weekday === 6)) continue;
    const f = splitFactor(symbol, day);
    const openAdj = adjustedPrice(symbol, day + 14.5 * 3600);
    const closeAdj = adjustedPrice(symbol, day + 21 * 3600);
    const wiggle = 1 + 0.01 * Math.abs(noise(symbol, day + 11));
    const close = round(closeAdj * f, d);
    rows.push({
      date: new Date(day * 1000).toISOString().slice(0, 10),
      open: round(openAdj * f, d),
      high: round(Math.max(openAdj, closeAdj) * f * wiggle, d),
      low: round((Math.min(openAdj, closeAdj) * f) / wiggle, d),
      close,
      adjusted_close: round(close / f, 4),
      volume: 1_000_000 + (hash32(symbol, day) % 60_000_000),
    });
  }
  return rows;
}

/** Quarterly dividends (10th of Feb/May/Aug/Nov) for US stocks in `[fromDate, toDate]`. */
export function generateDividendRows(
  symbol: string,
  fromDate: string,
  toDate: string,
): Record<string, unknown>[] {
  if (!symbol.endsWith('.US')) return [];
  const rows: Record<string, unknown>[] = [];
  const from = Number(fromDate.slice(0, 4));
  const to = Number(toDate.slice(0, 4));
  for (let y = Math.max(from, 2010); y <= to; y++) {
    for (const m of [2, 5, 8, 11]) {
      const date = `${y}-${String(m).padStart(2, '0')}-10`;
      if (date < fromDate || date > toDate) continue;
      const t = Date.parse(`${date}T00:00:00Z`) / 1000;
      const value = round(adjustedPrice(symbol, t) * 0.0025, 4);
      rows.push({
        date,
        declarationDate: `${y}-${String(m - 1).padStart(2, '0')}-28`,
        recordDate: `${y}-${String(m).padStart(2, '0')}-11`,
        paymentDate: m === 11 && y === to ? null : `${y}-${String(m).padStart(2, '0')}-17`,
        period: 'Quarterly',
        value,
        unadjustedValue: round(value * splitFactor(symbol, t), 4),
        currency: 'USD',
      });
    }
  }
  return rows;
}

/** A small US symbol list in EODHD's PascalCase shape (one `Isin` is null, as happens). */
export const US_SYMBOLS: readonly Record<string, string | null>[] = [
  {
    Code: 'AAPL',
    Name: 'Apple Inc',
    Country: 'USA',
    Exchange: 'NASDAQ',
    Currency: 'USD',
    Type: 'Common Stock',
    Isin: 'US0378331005',
  },
  {
    Code: 'MSFT',
    Name: 'Microsoft Corporation',
    Country: 'USA',
    Exchange: 'NASDAQ',
    Currency: 'USD',
    Type: 'Common Stock',
    Isin: 'US5949181045',
  },
  {
    Code: 'BRK-B',
    Name: 'Berkshire Hathaway Inc',
    Country: 'USA',
    Exchange: 'NYSE',
    Currency: 'USD',
    Type: 'Common Stock',
    Isin: 'US0846707026',
  },
  {
    Code: 'SPY',
    Name: 'SPDR S&P 500 ETF Trust',
    Country: 'USA',
    Exchange: 'NYSE ARCA',
    Currency: 'USD',
    Type: 'ETF',
    Isin: 'US78462F1030',
  },
  {
    Code: 'TSLA',
    Name: 'Tesla Inc',
    Country: 'USA',
    Exchange: 'NASDAQ',
    Currency: 'USD',
    Type: 'Common Stock',
    Isin: 'US88160R1014',
  },
  {
    Code: 'XYZW',
    Name: 'Example Pink Sheet Co',
    Country: 'USA',
    Exchange: 'PINK',
    Currency: 'USD',
    Type: 'Common Stock',
    Isin: null,
  },
];
