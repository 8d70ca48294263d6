/**
 * The exchange's `trade_updates` websocket (https://docs.alpaca.markets/docs/websocket-streaming):
 * `auth` (or the older `authenticate`) with any non-empty key and secret, then
 * `listen ["trade_updates"]`; every event goes to the sockets listening at that moment (no
 * replay). Frames are binary by default, as Alpaca's paper endpoint sends them.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { TradeUpdateEvent } from './wire/orders.js';

interface Client {
  socket: WebSocket;
  authorized: boolean;
  listening: boolean;
}

/**
 * The websocket side of one exchange.
 * @example
 * const streams = new TradeUpdateServer({ binaryFrames: true });
 * server.on('upgrade', (req, socket, head) => streams.upgrade(req, socket, head));
 * streams.broadcast(event);
 */
export class TradeUpdateServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();

  constructor(private readonly options: { binaryFrames: boolean }) {
    this.wss.on('connection', (socket: WebSocket) => this.accept(socket));
  }

  /** Take over an HTTP upgrade to `/stream`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Send a trade update to every authorized, listening socket. */
  broadcast(event: TradeUpdateEvent): void {
    for (const c of this.clients)
      if (c.authorized && c.listening) this.send(c, { stream: 'trade_updates', data: event });
  }

  /** Sockets that are authorized and listening. */
  listeners(): number {
    return [...this.clients].filter((c) => c.authorized && c.listening).length;
  }

  /** Terminate every socket now (a websocket disconnect). */
  dropAll(): void {
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
  }

  close(): void {
    this.wss.close();
  }

  private send(c: Client, msg: unknown): void {
    const text = JSON.stringify(msg);
    c.socket.send(this.options.binaryFrames ? Buffer.from(text, 'utf8') : text);
  }

  private accept(socket: WebSocket): void {
    const client: Client = { socket, authorized: false, listening: false };
    const { clients } = this;
    const send = (msg: unknown) => this.send(client, msg);
    clients.add(client);
    socket.on('close', () => clients.delete(client));
    socket.on('error', () => clients.delete(client));
    socket.on('message', (raw) => {
      let msg: { action?: string; key?: string; secret?: string; data?: Record<string, unknown> };
      try {
        msg = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw));
      } catch {
        send({ stream: 'error', data: { error_message: 'invalid json' } });
        return;
      }
      if (msg.action === 'auth' || msg.action === 'authenticate') {
        const key = msg.action === 'auth' ? msg.key : (msg.data?.key_id as string | undefined);
        const secret = msg.action === 'auth' ? msg.secret : (msg.data?.secret_key as string | undefined);
        client.authorized =
          typeof key === 'string' && key.length > 0 && typeof secret === 'string' && secret.length > 0;
        send({
          stream: 'authorization',
          data: client.authorized
            ? { status: 'authorized', action: 'authenticate' }
            : { status: 'unauthorized', action: 'authenticate', message: 'access key verification failed' },
        });
        return;
      }
      if (msg.action === 'listen') {
        if (!client.authorized) {
          send({ stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
          return;
        }
        const streams = Array.isArray(msg.data?.streams) ? (msg.data.streams as string[]) : [];
        client.listening = streams.includes('trade_updates');
        send({ stream: 'listening', data: { streams: client.listening ? ['trade_updates'] : [] } });
        return;
      }
      send({ stream: 'error', data: { error_message: `unknown action ${String(msg.action)}` } });
    });
  }
}
