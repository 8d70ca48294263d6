/**
 * Broker rules as pure functions: usable by an app before it sends an order,
 * and by the paper exchange when it accepts one.
 */
export type { BusinessDayOptions } from './business-days.js';
export { isBusinessDay, lastBusinessDays } from './business-days.js';
export type { CountDayTradesOptions, DayTradeCheckInput, DayTradeRule } from './day-trade.js';
export { checkDayTradeRule, countDayTrades } from './day-trade.js';
export type { NyParts } from './ny-time.js';
export { nyDate, nyIso, nyParts, nyWallToUtc } from './ny-time.js';
export type { RuleCode, RuleFill, RuleOpenOrder, RuleOrder, RuleResult } from './result.js';
export type { ShortableAsset, ShortableInput } from './shortable.js';
export { checkShortable, isEasyToBorrow } from './shortable.js';
export type { WashTradeInput } from './wash-trade.js';
export { checkWashTrade } from './wash-trade.js';
