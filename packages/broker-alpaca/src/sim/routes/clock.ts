/**
 * `GET /v2/clock` and `GET /v2/calendar` from the replay clock: sessions are the weekdays
 * that are not holidays of the feed, 09:30–16:00 New York.
 */
import { addDays, nyDate, nyIso, nyWallToUtc } from '../../rules/ny-time.js';
import type { PaperBook } from '../exchange.js';
import type { AreaRoutes } from './route.js';

function clockJson(book: PaperBook): Record<string, unknown> {
  const { clock } = book;
  const now = clock.now();
  const today = nyDate(now);
  const open = nyWallToUtc(today, 9, 30);
  const close = nyWallToUtc(today, 16, 0);
  const isOpen = clock.isSession(today) && now >= open && now < close;
  let nextOpenDay = clock.isSession(today) && now < open ? today : addDays(today, 1);
  while (!clock.isSession(nextOpenDay)) nextOpenDay = addDays(nextOpenDay, 1);
  const nextOpen = nyWallToUtc(nextOpenDay, 9, 30);
  let nextCloseDay = clock.isSession(today) && now < close ? today : addDays(today, 1);
  while (!clock.isSession(nextCloseDay)) nextCloseDay = addDays(nextCloseDay, 1);
  return {
    timestamp: nyIso(now),
    is_open: isOpen,
    next_open: nyIso(nextOpen),
    next_close: nyIso(nyWallToUtc(nextCloseDay, 16, 0)),
  };
}

function calendarJson(book: PaperBook, q: URLSearchParams): Record<string, unknown>[] {
  const { clock } = book;
  const first = clock.sessions[0] ?? nyDate(clock.now());
  const last = clock.sessions[clock.sessions.length - 1] ?? first;
  const start = q.get('start')?.slice(0, 10) ?? first;
  const end = q.get('end')?.slice(0, 10) ?? last;
  const out: Record<string, unknown>[] = [];
  for (let d = start, guard = 0; d <= end && guard < 40_000; d = addDays(d, 1), guard++) {
    if (!clock.isSession(d)) continue;
    let settle = addDays(d, 1);
    while (!clock.isSession(settle)) settle = addDays(settle, 1);
    out.push({
      date: d,
      open: '09:30',
      close: '16:00',
      session_open: '0400',
      session_close: '2000',
      settlement_date: settle,
    });
  }
  return out;
}

/**
 * The clock and calendar routes.
 * @example
 * clockRoutes(book, { method: 'GET', segments: ['clock'], query, body: undefined }); // [200, { is_open, … }]
 */
export const clockRoutes: AreaRoutes = (book, { method, segments, query }) => {
  if (method !== 'GET') return undefined;
  if (segments[0] === 'clock') return [200, clockJson(book)];
  if (segments[0] === 'calendar') return [200, calendarJson(book, query)];
  return undefined;
};
