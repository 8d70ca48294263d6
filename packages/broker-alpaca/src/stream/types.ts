/** The `trade_updates` stream's handle, options and what it needs from the client. */
import type { AlpacaError } from '../errors.js';
import type { AlpacaLogger } from '../http.js';
import type { Order } from '../types.js';

export type TradeUpdateStreamState =
  | 'connecting'
  | 'authenticating'
  | 'listening'
  | 'reconnecting'
  | 'closed';

/** Options of `streamTradeUpdates`. */
export interface TradeUpdateStreamOptions {
  /** Errors that do not stop the stream (bad frames, failed reconciliation) and the fatal AUTH error. */
  onError?: (error: AlpacaError) => void;
  onStateChange?: (state: TradeUpdateStreamState) => void;
  /** Rebuild missed updates over REST after a reconnect (default true). */
  reconcile?: boolean;
}

/** Handle returned by `streamTradeUpdates`. */
export interface TradeUpdateStream {
  /** Resolves when the first `listening` acknowledgement arrives; rejects on AUTH failure or close. */
  readonly ready: Promise<void>;
  readonly state: TradeUpdateStreamState;
  /** Number of successful reconnects so far. */
  readonly reconnects: number;
  /** Resolves when the last reconciliation started so far has finished (for tests and shutdown). */
  reconciled(): Promise<void>;
  /** Close the socket and stop reconnecting. */
  close(): Promise<void>;
}

/** What the stream needs from the client: where to connect, the keys, and the REST look-ups of a gap rebuild. */
export interface TradeUpdateStreamDeps {
  url: string;
  keyId: string;
  secretKey: string;
  logger?: AlpacaLogger | undefined;
  now: () => number;
  settings: {
    pingIntervalMs: number;
    reconnectBaseDelayMs: number;
    reconnectMaxDelayMs: number;
    reconcileMarginMs: number;
  };
  listOrders(query: {
    status: 'all';
    after: string;
    direction: 'asc';
    limit: number;
    nested: boolean;
  }): Promise<Order[]>;
  getOrder(id: string): Promise<Order>;
  /**
   * The server's current time in ms (GET /v2/clock). Read when listening starts, so a gap
   * before any update was seen is still measured on the server's clock (a replaying
   * simulator can be years behind ours).
   */
  serverNow?: () => Promise<number>;
}
