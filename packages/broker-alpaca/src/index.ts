/**
 * @marlts/broker-alpaca — Alpaca Trading API v2 + Market Data v2 client with idempotent
 * order submission, typed errors, rate limiting and the trade-updates stream.
 * The local paper exchange lives in `@marlts/broker-alpaca/sim`.
 *
 * This file is the table of contents of the public API.
 */

// Client
export type {
  AlpacaClient,
  AlpacaClientConfig,
  AlpacaClientOptions,
  BarsQuery,
  ListAssetsQuery,
  ListOrdersQuery,
} from './client.js';
export { ALPACA_HOSTS, createAlpacaClient, resolveUrls } from './client.js';
// Errors
export type { AlpacaErrorCode, AlpacaErrorOptions } from './errors.js';
export { AlpacaError, classifyHttpError, isAlpacaError } from './errors.js';
// HTTP plumbing types
export type { AlpacaLogger, RetryOptions } from './http.js';
// Orders
export type { DecimalInput, OrderBody, OrderInput, ReplaceBody, ReplaceOrderInput } from './orders.js';
export { buildOrderBody, buildReplaceBody, MAX_CLIENT_ORDER_ID_LENGTH } from './orders.js';
export type { RateLimiterOptions } from './rate-limiter.js';
export { RateLimiter } from './rate-limiter.js';
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
// Schemas (wire → typed objects; decimal strings become numbers here)
export { LatestQuotesSchema, LatestTradesSchema, MultiBarsPageSchema } from './schemas/market-data.js';
export { decimal, nullableDecimal, parseTimestamp, toDecimalString } from './schemas/primitives.js';
export {
  AccountConfigSchema,
  AccountSchema,
  AssetSchema,
  CalendarDaySchema,
  ClockSchema,
  ErrorBodySchema,
  OrderSchema,
  PositionSchema,
  TradeUpdateSchema,
} from './schemas/trading.js';
// Trade updates stream
export type { TradeUpdateStream, TradeUpdateStreamOptions, TradeUpdateStreamState } from './stream.js';
export { updateKey } from './stream.js';
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
