/**
 * The MARLTS bar-CSV dialect (docs/csv.md) as an incremental reader: push text in chunks
 * of any size, get the finished bars back, so a file of any size is read in bounded memory.
 *
 * Libraries never import each other, so market-env, data-eodhd and broker-alpaca each hold
 * an identical copy of this file; tooling/csv-cases/cases.json is the contract every copy
 * passes. Change all three copies and the cases together.
 */

/** Why a CSV was refused (docs/csv.md lists each with an example). */
export type CsvReason =
  | 'HEADER' // no header, a required column missing, or two columns for one role
  | 'QUOTE' // a quote inside an unquoted field, text after a closing quote, or a quote never closed
  | 'FIELDS' // a row with more or fewer fields than the header
  | 'MISSING' // an empty symbol, time or close
  | 'SYMBOL' // a symbol with a control character (a line break inside quotes, a tab)
  | 'TIME' // not YYYY-MM-DD or an ISO-8601 time with a zone, an impossible date, or mixed kinds
  | 'FUTURE' // a time more than one day after "now"
  | 'NUMBER' // not a plain decimal number (hex, Infinity, NaN, 1,000, 1e999)
  | 'RANGE' // a price <= 0 or a volume < 0
  | 'OHLC' // high < low, or open/close outside [low, high]
  | 'DUPLICATE' // the same symbol and time twice
  | 'ORDER'; // a symbol's times go backwards

/** Everything about one refused row; `message` is complete (file:row, column, problem, fix). */
export interface CsvProblem {
  reason: CsvReason;
  file: string;
  /** 1-based line number as an editor shows it (the line where the record starts). */
  row: number;
  /** The header name as written in the file, when one column is at fault. */
  column: string | undefined;
  symbol: string | undefined;
  message: string;
}

/** A bar as the reader produces it (structurally each package's `Bar`). */
export interface CsvBar {
  symbol: string;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Options of {@link BarsCsvReader}. */
export interface BarsCsvReaderOptions {
  /** Name used in messages. */
  file: string;
  /** The symbol of every row when the file has no symbol column. */
  symbol?: string | undefined;
  /** "Now" in ms since the epoch: times after now + 1 day are refused. */
  now: number;
  /** Builds the package's own error from a problem; the reader throws what it returns. */
  toError: (problem: CsvProblem) => Error;
}

const DAY_MS = 86_400_000;
/** A record longer than this is a quote that was never closed, not data. */
const MAX_RECORD_CHARS = 1 << 20;
const ROLES = {
  symbol: ['symbol', 'ticker'],
  time: ['date', 'time', 'timestamp', 'datetime'],
  open: ['open'],
  high: ['high'],
  low: ['low'],
  close: ['close'],
  volume: ['volume'],
} as const;
type Role = keyof typeof ROLES;

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const STAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;
const NO_ZONE_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** A record split into raw fields, or where its quoting broke. */
type Split = string[] | { open: true } | { badField: number; problem: string };

/** Splits one record (RFC 4180 quoting; a record may hold line breaks inside quotes). */
function splitRecord(s: string): Split {
  if (s.indexOf('"') < 0) return s.split(',');
  const fields: string[] = [];
  const n = s.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++;
    if (j < n && s.charCodeAt(j) === 34) {
      let value = '';
      let k = j + 1;
      for (;;) {
        const q = s.indexOf('"', k);
        if (q < 0) return { open: true };
        if (s.charCodeAt(q + 1) === 34) {
          value += s.slice(k, q + 1);
          k = q + 2;
          continue;
        }
        value += s.slice(k, q);
        k = q + 1;
        break;
      }
      while (k < n && (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 9)) k++;
      if (k < n && s.charCodeAt(k) !== 44) {
        return { badField: fields.length, problem: 'text after a closing quote' };
      }
      fields.push(value);
      if (k >= n) return fields;
      i = k + 1;
    } else {
      const c = s.indexOf(',', i);
      const field = c < 0 ? s.slice(i) : s.slice(i, c);
      if (field.indexOf('"') >= 0) {
        return { badField: fields.length, problem: 'a quote inside an unquoted field' };
      }
      fields.push(field);
      if (c < 0) return fields;
      i = c + 1;
    }
  }
}

function daysInMonth(y: number, m: number): number {
  return m === 2
    ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(m)
      ? 30
      : 31;
}

/**
 * Parses a bar time: `YYYY-MM-DD` (UTC midnight of that date) or an ISO-8601 time with a
 * zone (`Z`, `±HH`, `±HHMM`, `±HH:MM`; `T` or one space between date and time). Returns
 * the time and its kind, or why it is not one.
 * @example
 * parseCsvTime('2000-09-27'); // { time: Date.UTC(2000, 8, 27), kind: 'date' }
 */
export function parseCsvTime(
  text: string,
): { time: number; kind: 'date' | 'timestamp' } | { problem: string; fix: string } {
  const d = DATE_RE.exec(text);
  if (d) {
    const y = Number(d[1]);
    const m = Number(d[2]);
    const day = Number(d[3]);
    if (m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m))
      return { problem: `"${text}" is not a calendar date`, fix: 'fix the month or day' };
    return { time: Date.UTC(y, m - 1, day), kind: 'date' };
  }
  const s = STAMP_RE.exec(text);
  if (s) {
    const [y, m, day, hh, mm] = [Number(s[1]), Number(s[2]), Number(s[3]), Number(s[4]), Number(s[5])];
    const ss = s[6] === undefined ? 0 : Number(s[6]);
    const ms = s[7] === undefined ? 0 : Number(s[7].slice(0, 3).padEnd(3, '0'));
    const zone = s[8]!;
    let offsetMin = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const zh = Number(zone.slice(1, 3));
      const zm = zone.length > 3 ? Number(zone.slice(zone.length - 2)) : 0;
      if (zh > 23 || zm > 59)
        return { problem: `"${text}" has an impossible zone offset`, fix: 'use ±HH:MM' };
      offsetMin = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm);
    }
    if (m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m) || hh > 23 || mm > 59 || ss > 59)
      return { problem: `"${text}" is not a real date and time`, fix: 'fix the date or the time of day' };
    return { time: Date.UTC(y, m - 1, day, hh, mm, ss, ms) - offsetMin * 60_000, kind: 'timestamp' };
  }
  if (NO_ZONE_RE.test(text))
    return {
      problem: `"${text}" has no time zone`,
      fix: 'append Z for UTC or an offset such as -05:00 (a time without a zone is ambiguous)',
    };
  if (/^\d+(\.\d+)?$/.test(text))
    return {
      problem: `"${text}" looks like an epoch number`,
      fix: 'write ISO-8601 (2000-01-03 or 2000-01-03T14:30:00Z); epoch seconds and milliseconds look alike',
    };
  return {
    problem: `"${text}" is not a date YYYY-MM-DD or an ISO-8601 time with a zone`,
    fix: 'write 2000-01-03 for a daily bar or 2000-01-03T14:30:00Z for an intraday bar',
  };
}

/**
 * Reads bar CSV text pushed in chunks. `push` returns the bars finished by that chunk,
 * `end` the rest; both throw the package's error (built by `toError`) at the first bad row.
 * @example
 * const reader = new BarsCsvReader({ file: 'bars.csv', now: Date.now(), toError: (p) => new Error(p.message) });
 * const bars = [...reader.push('symbol,date,close\nA,2020-01-02,'), ...reader.push('5\n'), ...reader.end()];
 */
export class BarsCsvReader {
  private readonly options: BarsCsvReaderOptions;
  private carry = '';
  private started = false;
  private ended = false;
  private line = 0;
  /** A record whose quoted field continues on the next line. */
  private pending: { text: string; row: number } | undefined;
  private names: string[] | undefined;
  private at: Record<Role, number> = {
    symbol: -1,
    time: -1,
    open: -1,
    high: -1,
    low: -1,
    close: -1,
    volume: -1,
  };
  private timeKind: { kind: 'date' | 'timestamp'; row: number } | undefined;
  private readonly last = new Map<string, { time: number; row: number; symbol: string }>();
  private dataRows = 0;
  private closeOnlyRows = 0;

  constructor(options: BarsCsvReaderOptions) {
    this.options = options;
  }

  /** Data rows read so far. */
  get rows(): number {
    return this.dataRows;
  }

  /** True when every row so far had no open, high and low (they were filled from the close). */
  get closeOnly(): boolean {
    return this.dataRows > 0 && this.closeOnlyRows === this.dataRows;
  }

  /** The symbols seen so far, in order of first appearance. */
  get symbols(): string[] {
    return [...this.last.keys()];
  }

  /** Reads a chunk; returns the bars of the records it completed. */
  push(chunk: string): CsvBar[] {
    if (this.ended) throw new Error('BarsCsvReader: push after end');
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.carry !== '') text = this.carry + text;
    const out: CsvBar[] = [];
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.readLine(text.slice(pos, end), out);
      pos = nl + 1;
    }
    this.carry = pos === 0 ? text : text.slice(pos);
    if (this.carry.length > MAX_RECORD_CHARS)
      this.fail(
        'QUOTE',
        this.line + 1,
        undefined,
        undefined,
        'a line longer than 1 MiB',
        'this is not a bar CSV',
      );
    return out;
  }

  /** Reads what is left (a last line without a line break); returns its bars. */
  end(): CsvBar[] {
    if (this.ended) return [];
    const out: CsvBar[] = [];
    if (this.carry !== '') {
      const last = this.carry;
      this.carry = '';
      this.readLine(last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last, out);
    }
    this.ended = true;
    if (this.pending) {
      this.fail(
        'QUOTE',
        this.pending.row,
        undefined,
        undefined,
        'a quoted field is never closed',
        'close the quote, or double a quote that is part of the text ("")',
      );
    }
    if (!this.names) {
      this.fail(
        'HEADER',
        1,
        undefined,
        undefined,
        'the file is empty',
        'the first line must be a header such as symbol,date,open,high,low,close,volume',
      );
    }
    return out;
  }

  private readLine(raw: string, out: CsvBar[]): void {
    this.line++;
    let record: string;
    let row: number;
    if (this.pending) {
      record = `${this.pending.text}\n${raw}`;
      row = this.pending.row;
      this.pending = undefined;
    } else {
      if (raw.length === 0 || ((raw.charCodeAt(0) === 32 || raw.charCodeAt(0) === 9) && raw.trim() === ''))
        return;
      record = raw;
      row = this.line;
    }
    const split = splitRecord(record);
    if (!Array.isArray(split)) {
      if ('open' in split) {
        if (record.length > MAX_RECORD_CHARS)
          this.fail('QUOTE', row, undefined, undefined, 'a quoted field is never closed', 'close the quote');
        this.pending = { text: record, row };
        return;
      }
      this.fail(
        'QUOTE',
        row,
        this.nameOf(split.badField),
        undefined,
        split.problem,
        'quote the whole field ("a,b") and double quotes inside it ("say ""hi""")',
      );
    }
    if (!this.names) this.readHeader(split, row);
    else {
      const bar = this.readRow(split, row);
      out.push(bar);
    }
  }

  private nameOf(index: number): string {
    return this.names?.[index] ?? `field ${index + 1}`;
  }

  private readHeader(fields: string[], row: number): void {
    const names = fields.map((f) => f.trim());
    const lower = names.map((n) => n.toLowerCase());
    for (const role of Object.keys(ROLES) as Role[]) {
      const aliases: readonly string[] = ROLES[role];
      const hits = lower.flatMap((n, i) => (aliases.includes(n) ? [i] : []));
      if (hits.length > 1) {
        this.fail(
          'HEADER',
          row,
          names[hits[1]!],
          undefined,
          `two columns for the ${role}: "${names[hits[0]!]}" and "${names[hits[1]!]}"`,
          'keep one of them',
        );
      }
      this.at[role] = hits[0] ?? -1;
    }
    const got = `got "${names.join(',')}"`;
    if (this.at.time < 0)
      this.fail(
        'HEADER',
        row,
        'date',
        undefined,
        `no date/time column (${got})`,
        'name it date, time, timestamp or datetime',
      );
    if (this.at.close < 0)
      this.fail('HEADER', row, 'close', undefined, `no close column (${got})`, 'add a close column');
    if (this.at.symbol < 0 && !this.options.symbol)
      this.fail(
        'HEADER',
        row,
        'symbol',
        undefined,
        `no symbol column (${got})`,
        'add a symbol (or ticker) column, or pass the symbol option',
      );
    this.names = names;
  }

  private readRow(f: string[], row: number): CsvBar {
    const names = this.names!;
    if (f.length !== names.length) {
      this.fail(
        'FIELDS',
        row,
        undefined,
        undefined,
        `${f.length} fields where the header has ${names.length}`,
        'give every row one field per header column; quote a field that contains a comma',
      );
    }
    const at = this.at;
    let symbol: string;
    if (at.symbol >= 0) {
      symbol = f[at.symbol]!.trim();
      if (symbol === '')
        this.fail('MISSING', row, names[at.symbol], undefined, 'the symbol is empty', 'fill in the symbol');
      if (CONTROL_RE.test(symbol))
        this.fail(
          'SYMBOL',
          row,
          names[at.symbol],
          undefined,
          `the symbol ${JSON.stringify(symbol)} holds a control character`,
          'remove line breaks and tabs from the symbol',
        );
    } else symbol = this.options.symbol!;
    const seen = this.last.get(symbol);
    if (seen) symbol = seen.symbol; // one string per symbol, however many rows
    const timeName = names[at.time];
    const timeText = f[at.time]!.trim();
    if (timeText === '')
      this.fail('MISSING', row, timeName, symbol, 'the time is empty', 'fill in the date or time');
    const parsed = parseCsvTime(timeText);
    if (!('time' in parsed)) return this.fail('TIME', row, timeName, symbol, parsed.problem, parsed.fix);
    if (!this.timeKind) this.timeKind = { kind: parsed.kind, row };
    else if (this.timeKind.kind !== parsed.kind) {
      this.fail(
        'TIME',
        row,
        timeName,
        symbol,
        `"${timeText}" is a ${parsed.kind} but line ${this.timeKind.row} has a ${this.timeKind.kind}`,
        'use one kind in a file: dates for daily bars, timestamps for intraday bars',
      );
    }
    const time = parsed.time;
    if (time > this.options.now + DAY_MS) {
      this.fail(
        'FUTURE',
        row,
        timeName,
        symbol,
        `"${timeText}" is in the future (now is ${new Date(this.options.now).toISOString()})`,
        'fix the date; bars can only describe the past',
      );
    }
    const open = this.num(f, 'open', row, symbol);
    const high = this.num(f, 'high', row, symbol);
    const low = this.num(f, 'low', row, symbol);
    const close = this.num(f, 'close', row, symbol);
    if (close === undefined)
      return this.fail(
        'MISSING',
        row,
        names[at.close],
        symbol,
        'the close is empty',
        'a bar needs a close; drop the row or fill it in',
      );
    const volume = this.num(f, 'volume', row, symbol) ?? 0;
    const o = open ?? close;
    const h = high ?? Math.max(o, close);
    const l = low ?? Math.min(o, close);
    // Checked in this order so the column named is the one most likely wrong.
    if (high !== undefined && low !== undefined && high < low)
      this.fail(
        'OHLC',
        row,
        this.colName('high'),
        symbol,
        `high ${high} is below low ${low}`,
        'swap or fix high and low',
      );
    if (close > h)
      this.fail(
        'OHLC',
        row,
        names[at.close],
        symbol,
        `close ${close} is above high ${h}`,
        'fix close or high',
      );
    if (close < l)
      this.fail('OHLC', row, names[at.close], symbol, `close ${close} is below low ${l}`, 'fix close or low');
    if (o > h)
      this.fail(
        'OHLC',
        row,
        this.colName('open'),
        symbol,
        `open ${o} is above high ${h}`,
        'fix open or high',
      );
    if (o < l)
      this.fail('OHLC', row, this.colName('open'), symbol, `open ${o} is below low ${l}`, 'fix open or low');
    if (seen) {
      if (time === seen.time)
        this.fail(
          'DUPLICATE',
          row,
          timeName,
          symbol,
          `${symbol} ${timeText} is already on line ${seen.row}`,
          'remove one of the two rows',
        );
      if (time < seen.time)
        this.fail(
          'ORDER',
          row,
          timeName,
          symbol,
          `${symbol} ${timeText} comes after a later time on line ${seen.row}`,
          "sort the file by time (oldest first); each symbol's times must increase",
        );
      seen.time = time;
      seen.row = row;
    } else this.last.set(symbol, { time, row, symbol });
    this.dataRows++;
    if (open === undefined && high === undefined && low === undefined) this.closeOnlyRows++;
    return { symbol, time, open: o, high: h, low: l, close, volume };
  }

  /** The header name of a role, or the role when the file has no such column. */
  private colName(role: Role): string {
    return this.at[role] >= 0 ? this.names![this.at[role]]! : role;
  }

  private num(
    f: string[],
    role: 'open' | 'high' | 'low' | 'close' | 'volume',
    row: number,
    symbol: string,
  ): number | undefined {
    const i = this.at[role];
    if (i < 0) return undefined;
    const text = f[i]!.trim();
    if (text === '') return undefined;
    const name = this.names![i]!;
    if (!NUMBER_RE.test(text))
      this.fail(
        'NUMBER',
        row,
        name,
        symbol,
        `"${text}" is not a decimal number`,
        'write a plain decimal such as 60 or 60.25 (no hex, Infinity, NaN or thousands separators)',
      );
    const v = Number(text);
    if (!Number.isFinite(v))
      this.fail('NUMBER', row, name, symbol, `"${text}" is too large`, 'write a finite decimal');
    if (role === 'volume' ? v < 0 : v <= 0)
      this.fail(
        'RANGE',
        row,
        name,
        symbol,
        `${role} ${text} must be ${role === 'volume' ? '>= 0' : '> 0'}`,
        `fix the ${role}`,
      );
    return v;
  }

  private fail(
    reason: CsvReason,
    row: number,
    column: string | undefined,
    symbol: string | undefined,
    problem: string,
    fix: string,
  ): never {
    const where = `${this.options.file}:${row}${column === undefined ? '' : ` column "${column}"`}`;
    throw this.options.toError({
      reason,
      file: this.options.file,
      row,
      column,
      symbol,
      message: `${where}: ${problem}; ${fix}`,
    });
  }
}
