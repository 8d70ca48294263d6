/**
 * @marlts/broker-alpaca — Alpaca Trading API v2 + Market Data v2 client with idempotent
 * order submission, typed errors, rate limiting and the trade-updates stream.
 * The local paper exchange lives in `@marlts/broker-alpaca/sim`.
 *
 * This file is the table of contents of the public API.
 */

// Client
export type { AlpacaClient, BarsQuery, ListAssetsQuery, ListOrdersQuery } from './client/api.js';
export { createAlpacaClient } from './client/create-client.js';
export type { AlpacaClientConfig, AlpacaClientOptions } from './client/options.js';
// The host table stays public: an app that picks between a local exchange and Alpaca needs it.
export { ALPACA_HOSTS } from './client/urls.js';
// Errors
export type { AlpacaErrorCode, AlpacaErrorOptions, CsvErrorDetail } from './errors.js';
export { AlpacaError, isAlpacaError } from './errors.js';
// Types of client options
export type { AlpacaLogger, RetryOptions } from './http.js';
// Order input (the client builds and checks the request body itself)
export type { DecimalInput, OrderInput, ReplaceOrderInput } from './orders.js';
export { MAX_CLIENT_ORDER_ID_LENGTH } from './orders.js';
// Order status
export { isTerminalOrderStatus } from './order-status.js';
// Rules (pure, usable before sending; the paper exchange applies the same functions)
export type {
  BusinessDayOptions,
  CountDayTradesOptions,
  DayTradeCheckInput,
  DayTradeRule,
  NyParts,
  RuleCode,
  RuleFill,
  RuleOpenOrder,
  RuleOrder,
  RuleResult,
  ShortableAsset,
  ShortableInput,
  WashTradeInput,
} from './rules/index.js';
export {
  checkDayTradeRule,
  checkShortable,
  checkWashTrade,
  countDayTrades,
  isBusinessDay,
  isEasyToBorrow,
  lastBusinessDays,
  nyDate,
  nyIso,
  nyParts,
  nyWallToUtc,
} from './rules/index.js';
// Trade updates stream
export type { TradeUpdateStream, TradeUpdateStreamOptions, TradeUpdateStreamState } from './stream/types.js';
// Types
export type {
  Account,
  AccountConfig,
  Asset,
  Bar,
  BaseBar,
  CalendarDay,
  Clock,
  Lenient,
  MultiStatusResult,
  Order,
  OrderClass,
  OrderSide,
  OrderStatus,
  OrderType,
  Position,
  Quote,
  TimeInForce,
  Trade,
  TradeUpdate,
} from './types.js';
