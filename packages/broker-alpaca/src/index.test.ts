/**
 * The public API is what `src/index.ts` and `src/sim/index.ts` export, nothing more: the
 * client factory, errors and guard, the pure broker rules, the sim's start function. zod
 * schemas, request-body builders, the rate limiter and URL plumbing are internal (tests
 * import them from `src/…`). A new runtime export has to be added here on purpose.
 */
import { describe, expect, it } from 'vitest';
import type {
  AlpacaClient,
  AlpacaClientOptions,
  AlpacaErrorCode,
  AlpacaLogger,
  Bar,
  DecimalInput,
  OrderInput,
  ReplaceOrderInput,
  RetryOptions,
  RuleResult,
  TradeUpdate,
  TradeUpdateStream,
} from './index.js';
import * as main from './index.js';
import type { PaperExchange, PaperExchangeOptions, Bar as SimBar, SimFault } from './sim/index.js';
import * as sim from './sim/index.js';

describe('public API', () => {
  it('the main entry exports only what users call', () => {
    expect(Object.keys(main).sort()).toEqual([
      'ALPACA_HOSTS',
      'AlpacaError',
      'MAX_CLIENT_ORDER_ID_LENGTH',
      'checkDayTradeRule',
      'checkShortable',
      'checkWashTrade',
      'countDayTrades',
      'createAlpacaClient',
      'isAlpacaError',
      'isBusinessDay',
      'isEasyToBorrow',
      'isTerminalOrderStatus',
      'lastBusinessDays',
      'nyDate',
      'nyIso',
      'nyParts',
      'nyWallToUtc',
    ]);
  });

  it('the sim entry exports its start function and the CSV reader', () => {
    expect(Object.keys(sim).sort()).toEqual(['parseBarsCsv', 'startPaperExchange']);
  });

  it('keeps the types users write against', () => {
    // Compile-time: each of these must stay exported (typecheck fails otherwise).
    const order: OrderInput = { symbol: 'AAPL', qty: 1 satisfies DecimalInput, side: 'buy' };
    const patch: ReplaceOrderInput = { limitPrice: 1 };
    const options: AlpacaClientOptions = { keyId: 'k', secretKey: 's' };
    const code: AlpacaErrorCode = 'UNPROCESSABLE';
    const retry: RetryOptions | undefined = undefined;
    const logger: AlpacaLogger | undefined = undefined;
    const fault: SimFault = { kind: '500' };
    const simOptions: PaperExchangeOptions = { faults: [fault] };
    const bar: Bar | SimBar | undefined = undefined;
    const rest: [AlpacaClient?, TradeUpdate?, TradeUpdateStream?, RuleResult?, PaperExchange?] = [];
    expect([order, patch, options, code, retry, logger, simOptions, bar, rest]).toHaveLength(9);
  });
});
