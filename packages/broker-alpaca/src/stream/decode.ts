/**
 * Message decoding of the `trade_updates` websocket: a frame (text or binary, as Alpaca's
 * paper endpoint sends) → its JSON messages (one object or an array) → what each one says.
 * A frame that is not JSON or an update of an unexpected shape is `invalid` with the message
 * to report; the stream goes on.
 */
import type WebSocket from 'ws';
import { TradeUpdateSchema } from '../schemas/trading.js';
import type { TradeUpdate } from '../types.js';

/** One decoded message of the stream. */
export type StreamMessage =
  | { kind: 'authorization'; authorized: boolean; message: string | undefined }
  | { kind: 'listening'; tradeUpdates: boolean }
  | { kind: 'trade_update'; update: TradeUpdate }
  | { kind: 'invalid'; message: string };

function frameText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function decodeMessage(msg: unknown): StreamMessage | undefined {
  if (msg === null || typeof msg !== 'object') return undefined;
  const { stream, data } = msg as { stream?: unknown; data?: Record<string, unknown> };
  if (stream === 'authorization') {
    return {
      kind: 'authorization',
      authorized: data?.status === 'authorized',
      message: typeof data?.message === 'string' ? data.message : undefined,
    };
  }
  if (stream === 'listening') {
    const streams = Array.isArray(data?.streams) ? data.streams : [];
    return { kind: 'listening', tradeUpdates: streams.includes('trade_updates') };
  }
  if (stream === 'trade_updates') {
    const r = TradeUpdateSchema.safeParse(data);
    if (r.success) return { kind: 'trade_update', update: r.data };
    const issue = r.error.issues[0];
    return {
      kind: 'invalid',
      message: `trade_updates: unexpected message shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    };
  }
  return undefined;
}

/**
 * The messages of one websocket frame, in order; a heartbeat (`\x01`) and messages of other
 * streams give none.
 * @example
 * decodeFrame(Buffer.from('{"stream":"listening","data":{"streams":["trade_updates"]}}'));
 * // [{ kind: 'listening', tradeUpdates: true }]
 */
export function decodeFrame(data: WebSocket.RawData): StreamMessage[] {
  const text = frameText(data);
  if (text.length === 1 && text.charCodeAt(0) === 1) return []; // heartbeat
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [{ kind: 'invalid', message: `trade_updates: a frame is not JSON (${text.length} bytes)` }];
  }
  const out: StreamMessage[] = [];
  for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
    const decoded = decodeMessage(msg);
    if (decoded) out.push(decoded);
  }
  return out;
}
