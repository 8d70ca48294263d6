/**
 * @marlts/broker-alpaca/sim — a local Alpaca-compatible paper exchange: the
 * Trading API v2, Market Data v2 bars/latest endpoints and the trade_updates
 * websocket on loopback, filling orders from a bar feed you give it.
 */
export type { ParseBarsCsvOptions } from './csv.js';
export { parseBarsCsv } from './csv.js';
export type { SimFill } from './model.js';
export type { Bar, PaperExchangeConfig, PaperExchangeOptions, SimAssetInput, SimFault } from './options.js';
export type {
  PaperAccountState,
  PaperExchange,
  PaperExchangeState,
  PaperPositionState,
} from './server.js';
export { startPaperExchange } from './server.js';
export type { TradeUpdateEvent } from './wire/orders.js';
