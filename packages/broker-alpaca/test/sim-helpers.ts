/** Shared helpers for the paper-exchange tests: raw HTTP and websocket access, real data. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { type Bar, type PaperExchange, parseBarsCsv } from '../src/sim/index.js';

/** Real MSFT daily OHLCV committed with the tests (provenance and licence: fixtures/README.md). */
export const MSFT_CSV = fileURLToPath(new URL('./fixtures/msft_daily_ohlcv_2000-2001.csv', import.meta.url));

/** The first `n` MSFT daily bars (real data, 2000-09-27 onwards). */
export function msftBars(n = 249): Bar[] {
  return parseBarsCsv(readFileSync(MSFT_CSV, 'utf8')).slice(0, n);
}

export const AUTH = { 'APCA-API-KEY-ID': 'PKTEST', 'APCA-API-SECRET-KEY': 'secret' };

/** Parsed JSON in tests (shapes are asserted, not typed). */
// biome-ignore lint/suspicious/noExplicitAny: test JSON
export type Json = any;

export interface Reply {
  status: number;
  headers: Headers;
  body: Json;
}

/** Raw fetch against the exchange with Alpaca's auth headers. */
export function api(ex: PaperExchange) {
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(ex.url + path, {
      method,
      headers: { ...AUTH, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    del: (path: string) => call('DELETE', path),
    /** POST /v2/orders and expect 200. */
    order: async (body: Record<string, unknown>) => {
      const r = await call('POST', '/v2/orders', body);
      if (r.status !== 200) throw new Error(`order refused ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
  };
}

/** Flat bars for synthetic one-symbol sessions (minute bars from 09:30 New York). */
export function minuteBars(
  symbol: string,
  date: string,
  rows: [open: number, high: number, low: number, close: number, volume: number][],
): Bar[] {
  // 09:30 New York on `date` in winter (EST, −05:00)
  const start = Date.parse(`${date}T14:30:00Z`);
  return rows.map(([open, high, low, close, volume], i) => ({
    symbol,
    time: start + i * 60_000,
    open,
    high,
    low,
    close,
    volume,
  }));
}

/** A trade_updates websocket client that records every message (decoding binary frames). */
export async function openStream(ex: PaperExchange, { listen = true } = {}) {
  const socket = new WebSocket(ex.streamUrl);
  const messages: Json[] = [];
  const binary: boolean[] = [];
  let closed = false;
  socket.on('message', (data, isBinary) => {
    binary.push(isBinary);
    messages.push(JSON.parse(data.toString()));
  });
  socket.on('close', () => {
    closed = true;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const waitFor = async (pred: (m: Json) => boolean, timeoutMs = 2_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = messages.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no such message; got ${JSON.stringify(messages)}`);
  };
  socket.send(JSON.stringify({ action: 'auth', key: 'PKTEST', secret: 'secret' }));
  await waitFor((m) => m.stream === 'authorization');
  if (listen) {
    socket.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
    await waitFor((m) => m.stream === 'listening');
  }
  return {
    socket,
    messages,
    binary,
    waitFor,
    get closed() {
      return closed;
    },
    updates: () => messages.filter((m) => m.stream === 'trade_updates').map((m) => m.data),
    close: () => socket.close(),
  };
}

/** Wait until `pred()` holds (polling, for socket-driven state). */
export async function until(pred: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
