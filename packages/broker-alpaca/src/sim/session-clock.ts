/**
 * The replay clock: the bar feed indexed by time and by symbol, the New York sessions it
 * covers and the holidays between them, the current step, and the timestamps the exchange
 * gives its orders and events.
 *
 * Daily bars are whole sessions: their executions are stamped at the 09:30 open and the
 * clock reads the 16:00 close after them. Intraday bars: the clock reads the end of the
 * current bar. A weekday inside the feed's range with no bar is a holiday.
 */
import { addDays, nyDate, nyParts, nyWallToUtc, weekdayOf } from '../rules/ny-time.js';
import type { Bar, PaperExchangeConfig } from './options.js';

/** One step of the replay clock. */
export interface ClockStep {
  /** The bar time now current. */
  time: number;
  /** Its New York session (`YYYY-MM-DD`). */
  session: string;
  /** The step entered a new session (false for the very first step). */
  sessionChanged: boolean;
}

/**
 * The feed and the replay clock of one exchange.
 * @example
 * const clock = new SessionClock(bars, 'replay');
 * clock.step(); // the first bar time
 * new Date(clock.now()).toISOString(); // the end of that bar
 */
export class SessionClock {
  /** Distinct bar times, ascending. */
  readonly times: number[];
  readonly barsAt = new Map<number, Bar[]>();
  readonly barsBySymbol = new Map<string, Bar[]>();
  /** True when the feed holds daily bars (sessions are whole bars). */
  readonly daily: boolean;
  /** The shortest gap between two bars of one symbol (ms). */
  readonly interval: number;
  /** Weekdays inside the feed's range that have no bar (exchange holidays). */
  readonly holidays: Set<string>;
  /** The sessions of the feed, ascending. */
  readonly sessions: string[];
  /** Index of the current (last processed) step in `times`; −1 before the first bar. */
  cursor = -1;
  private current: string | null = null;
  private lastStamp = 0;

  constructor(
    bars: PaperExchangeConfig['bars'],
    private readonly timestamps: 'replay' | 'wall',
  ) {
    const all = Array.isArray(bars) ? bars : Object.values(bars).flat();
    const sorted = [...all].sort((a, b) => a.time - b.time || a.symbol.localeCompare(b.symbol));
    for (const bar of sorted) {
      const atTime = this.barsAt.get(bar.time);
      if (atTime) {
        if (atTime.some((b) => b.symbol === bar.symbol)) continue; // duplicate bar: keep the first
        atTime.push(bar);
      } else this.barsAt.set(bar.time, [bar]);
      const list = this.barsBySymbol.get(bar.symbol);
      if (list) list.push(bar);
      else this.barsBySymbol.set(bar.symbol, [bar]);
    }
    this.times = [...this.barsAt.keys()];
    let interval = Number.POSITIVE_INFINITY;
    for (const list of this.barsBySymbol.values()) {
      for (let i = 1; i < list.length; i++) interval = Math.min(interval, list[i]!.time - list[i - 1]!.time);
    }
    if (!Number.isFinite(interval)) {
      const t = this.times[0];
      interval = t !== undefined && nyParts(t).hour === 0 ? 86_400_000 : 60_000;
    }
    this.interval = interval;
    this.daily = interval >= 20 * 3_600_000;
    const sessions = [...new Set(this.times.map((t) => this.sessionOf(t)))].sort();
    this.sessions = sessions;
    this.holidays = new Set();
    if (sessions.length > 0) {
      const have = new Set(sessions);
      for (let d = sessions[0]!; d <= sessions[sessions.length - 1]!; d = addDays(d, 1)) {
        const wd = weekdayOf(d);
        if (wd !== 0 && wd !== 6 && !have.has(d)) this.holidays.add(d);
      }
    }
  }

  /** The New York session date a bar belongs to. */
  sessionOf(time: number): string {
    // Daily bars stamped at midnight UTC are 19:00/20:00 the previous day in New York.
    return this.daily ? nyDate(time + 12 * 3_600_000) : nyDate(time);
  }

  /** A weekday that is not a holiday of the feed. */
  isSession(date: string): boolean {
    const wd = weekdayOf(date);
    return wd !== 0 && wd !== 6 && !this.holidays.has(date);
  }

  /** When a bar's executions are stamped: the regular open for daily bars, the bar start otherwise. */
  execTime(time: number): number {
    return this.daily ? nyWallToUtc(this.sessionOf(time), 9, 30) : time;
  }

  /** When a bar is complete: the regular close for daily bars, start + interval otherwise. */
  private endOf(time: number): number {
    return this.daily ? nyWallToUtc(this.sessionOf(time), 16, 0) : time + this.interval;
  }

  /** The replay clock: the end of the current bar (a minute before the first bar's open before any step). */
  now(): number {
    const t = this.times[this.cursor];
    if (t !== undefined) return this.endOf(t);
    const first = this.times[0];
    return first === undefined ? Date.UTC(2026, 0, 2, 14, 29) : this.execTime(first) - 60_000;
  }

  /** The current bar time, or null before the first step. */
  currentBarTime(): number | null {
    return this.times[this.cursor] ?? null;
  }

  /** The session of the current step, or null before the first step. */
  get currentSession(): string | null {
    return this.current;
  }

  /** Index in `sessions` of the current step's session (0 before the first step). */
  sessionIndex(): number {
    const t = this.currentBarTime();
    return t === null ? 0 : this.sessions.indexOf(this.sessionOf(t));
  }

  /** True when every bar has been replayed. */
  get done(): boolean {
    return this.cursor >= this.times.length - 1;
  }

  /** Move to the next bar time; undefined (and no move) when the feed is exhausted. */
  step(): ClockStep | undefined {
    if (this.done) return undefined;
    const time = this.times[this.cursor + 1]!;
    const session = this.sessionOf(time);
    const sessionChanged = this.current !== null && session !== this.current;
    this.current = session;
    this.cursor++;
    return { time, session, sessionChanged };
  }

  /** The current step is the last of its session (the next belongs to another, or there is none). */
  sessionEnds(): boolean {
    const nextT = this.times[this.cursor + 1];
    return nextT === undefined || this.sessionOf(nextT) !== this.current;
  }

  /** Strictly increasing timestamps at or after the replay clock (orders and events get distinct times). */
  stamp(at = this.now()): number {
    const base = this.timestamps === 'wall' ? Date.now() : at;
    this.lastStamp = Math.max(base, this.lastStamp + 1);
    return this.lastStamp;
  }
}
