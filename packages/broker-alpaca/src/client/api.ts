/**
 * What `createAlpacaClient` returns: one method per Alpaca endpoint, grouped by API area
 * (account, assets, positions, orders, market data, the stream), and the query types.
 */
import type { OrderInput, ReplaceOrderInput } from '../orders.js';
import type { TradeUpdateStream, TradeUpdateStreamOptions } from '../stream/types.js';
import type {
  Account,
  AccountConfig,
  Asset,
  Bar,
  CalendarDay,
  Clock,
  MultiStatusResult,
  Order,
  OrderSide,
  Position,
  Quote,
  Trade,
  TradeUpdate,
} from '../types.js';
import type { AlpacaClientConfig } from './options.js';

/** Query of `listOrders` (`GET /v2/orders`). */
export interface ListOrdersQuery {
  status?: 'open' | 'closed' | 'all';
  /** 1–500 (Alpaca's default 50). */
  limit?: number;
  /** Submission time lower bound (exclusive), RFC 3339 or Date. */
  after?: string | Date;
  /** Submission time upper bound (exclusive). */
  until?: string | Date;
  direction?: 'asc' | 'desc';
  /** Return bracket/OCO/OTO legs inside their parent (default true). */
  nested?: boolean;
  symbols?: readonly string[];
  side?: OrderSide;
}

/** Query of `listAssets`. */
export interface ListAssetsQuery {
  status?: 'active' | 'inactive';
  assetClass?: 'us_equity' | 'us_option' | 'crypto';
  exchange?: string;
  attributes?: readonly string[];
}

/** Query of `getBars`. */
export interface BarsQuery {
  symbols: readonly string[];
  /** `[1-59]Min`, `[1-23]Hour`, `1Day`, `1Week`, `[1,2,3,4,6,12]Month` (or `T`/`H`/`D`/`W`/`M`). */
  timeframe: string;
  /** Inclusive, RFC 3339 / `YYYY-MM-DD` or Date. */
  start: string | Date;
  /** Inclusive; always sent (Alpaca's default end depends on the feed and the data plan). */
  end: string | Date;
  /** Bars per page across all symbols, 1–10 000 (default 10 000). */
  limit?: number;
  adjustment?: 'raw' | 'split' | 'dividend' | 'spin-off' | 'all';
  feed?: AlpacaClientConfig['feed'];
}

/** The account area: account, configuration, market clock and calendar. */
export interface AccountApi {
  getAccount(): Promise<Account>;
  getAccountConfig(): Promise<AccountConfig>;
  getClock(): Promise<Clock>;
  getCalendar(range: { start: string | Date; end: string | Date }): Promise<CalendarDay[]>;
}

/** The assets area. */
export interface AssetsApi {
  listAssets(query?: ListAssetsQuery): Promise<Asset[]>;
  getAsset(symbol: string): Promise<Asset>;
}

/** The positions area. */
export interface PositionsApi {
  listPositions(): Promise<Position[]>;
  getPosition(symbol: string): Promise<Position>;
  closePosition(
    symbol: string,
    options?: { qty?: number | string; percentage?: number | string },
  ): Promise<Order>;
  closeAllPositions(options?: { cancelOrders?: boolean }): Promise<MultiStatusResult[]>;
}

/** The orders area. */
export interface OrdersApi {
  submitOrder(input: OrderInput): Promise<Order>;
  getOrder(id: string, options?: { nested?: boolean }): Promise<Order>;
  getOrderByClientId(clientOrderId: string): Promise<Order>;
  listOrders(query?: ListOrdersQuery): Promise<Order[]>;
  cancelOrder(id: string): Promise<void>;
  cancelAllOrders(): Promise<MultiStatusResult[]>;
  replaceOrder(id: string, patch: ReplaceOrderInput): Promise<Order>;
}

/** The market-data area (data host). */
export interface MarketDataApi {
  getBars(query: BarsQuery): Promise<Bar[]>;
  getLatestQuotes(
    symbols: readonly string[],
    options?: { feed?: AlpacaClientConfig['feed'] },
  ): Promise<Record<string, Quote>>;
  getLatestTrades(
    symbols: readonly string[],
    options?: { feed?: AlpacaClientConfig['feed'] },
  ): Promise<Record<string, Trade>>;
}

/** The client returned by {@link createAlpacaClient}. */
export interface AlpacaClient extends AccountApi, AssetsApi, PositionsApi, OrdersApi, MarketDataApi {
  readonly config: AlpacaClientConfig;
  streamTradeUpdates(
    onUpdate: (update: TradeUpdate) => void,
    options?: TradeUpdateStreamOptions,
  ): TradeUpdateStream;
}
