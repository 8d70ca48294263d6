/**
 * Frame decoding of the trade_updates stream: text and binary frames, arrays of messages,
 * heartbeats, and the messages a frame that is not JSON or an update of the wrong shape gives.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode.js';

const order = {
  id: 'o-1',
  client_order_id: 'c-1',
  symbol: 'MSFT',
  side: 'buy',
  type: 'market',
  time_in_force: 'day',
  status: 'new',
  qty: '1',
  filled_qty: '0',
};

describe('decodeFrame', () => {
  it('reads text and binary frames, one message or an array, and skips heartbeats and other streams', () => {
    const auth = JSON.stringify({
      stream: 'authorization',
      data: { status: 'authorized', action: 'authenticate' },
    });
    expect(decodeFrame(Buffer.from(auth, 'utf8'))).toEqual([
      { kind: 'authorization', authorized: true, message: undefined },
    ]);
    const both = JSON.stringify([
      {
        stream: 'authorization',
        data: { status: 'unauthorized', message: 'access key verification failed' },
      },
      { stream: 'listening', data: { streams: ['trade_updates'] } },
      { stream: 'listening', data: { streams: [] } },
      { stream: 'other', data: {} },
      null,
    ]);
    expect(decodeFrame([Buffer.from(both.slice(0, 10)), Buffer.from(both.slice(10))])).toEqual([
      { kind: 'authorization', authorized: false, message: 'access key verification failed' },
      { kind: 'listening', tradeUpdates: true },
      { kind: 'listening', tradeUpdates: false },
    ]);
    expect(decodeFrame(Buffer.from([1]))).toEqual([]);
  });

  it('types a trade update', () => {
    const frame = JSON.stringify({
      stream: 'trade_updates',
      data: { event: 'new', order, timestamp: '2026-01-02T15:00:00Z' },
    });
    const [msg] = decodeFrame(Buffer.from(frame));
    expect(msg?.kind).toBe('trade_update');
    if (msg?.kind !== 'trade_update') return;
    expect(msg.update.event).toBe('new');
    expect(msg.update.order).toMatchObject({ id: 'o-1', symbol: 'MSFT', qty: 1, filledQty: 0 });
    expect(msg.update.reconciled).toBe(false);
  });

  it('names what is wrong with a frame that is not JSON or an update of the wrong shape', () => {
    expect(decodeFrame(Buffer.from('{"stream":'))).toEqual([
      { kind: 'invalid', message: 'trade_updates: a frame is not JSON (10 bytes)' },
    ]);
    const [bad] = decodeFrame(
      Buffer.from(JSON.stringify({ stream: 'trade_updates', data: { event: 'new' } })),
    );
    expect(bad?.kind).toBe('invalid');
    expect(bad?.kind === 'invalid' && bad.message).toMatch(
      /^trade_updates: unexpected message shape at order: /,
    );
  });
});
