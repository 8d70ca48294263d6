/**
 * The account, its configuration and positions in Alpaca's JSON
 * (https://docs.alpaca.markets/reference/getaccount-1): decimals as strings, money rounded
 * to the cent or to 4 places as Alpaca shows it.
 */
import { countDayTrades } from '../../rules/day-trade.js';
import { nyDate } from '../../rules/ny-time.js';
import type { Book } from '../book.js';
import { dec, iso, round } from '../format.js';
import type { SimPosition } from '../model.js';

/**
 * `GET /v2/account`. The PDT fields exist only under `dayTradeRule: 'legacy-pdt'`, as on
 * Alpaca before 2026-07-06.
 * @example
 * accountJson(book).buying_power; // '200000'
 */
export function accountJson(book: Book): Record<string, unknown> {
  const { account, clock, config } = book;
  let long = 0;
  let short = 0;
  for (const p of account.positions.values()) {
    const mv = p.qty * account.markPrice(p);
    if (mv >= 0) long += mv;
    else short += mv;
  }
  const equity = account.equity();
  const multiplier = config.marginMultiplier;
  const buyingPower = account.buyingPower();
  const gross = long - short;
  const out: Record<string, unknown> = {
    id: account.id,
    admin_configurations: {},
    user_configurations: null,
    account_number: account.accountNumber,
    status: 'ACTIVE',
    crypto_status: 'INACTIVE',
    options_approved_level: 0,
    options_trading_level: 0,
    currency: 'USD',
    buying_power: dec(round(buyingPower, 2)),
    regt_buying_power: dec(round(buyingPower, 2)),
    non_marginable_buying_power: dec(round(Math.max(0, account.cash), 2)),
    options_buying_power: dec(round(Math.max(0, account.cash), 2)),
    effective_buying_power: dec(round(buyingPower, 2)),
    accrued_fees: '0',
    cash: dec(round(account.cash, 4)),
    portfolio_value: dec(round(equity, 4)),
    equity: dec(round(equity, 4)),
    last_equity: dec(round(account.lastEquity, 4)),
    long_market_value: dec(round(long, 4)),
    short_market_value: dec(round(short, 4)),
    position_market_value: dec(round(gross, 4)),
    initial_margin: dec(round(gross / multiplier, 4)),
    maintenance_margin: dec(round(0.3 * gross, 4)),
    last_maintenance_margin: '0',
    sma: '0',
    multiplier: String(multiplier),
    pending_transfer_in: '0',
    trading_blocked: false,
    transfers_blocked: false,
    account_blocked: false,
    trade_suspended_by_user: false,
    shorting_enabled: account.shortingEnabled(),
    crypto_tier: 0,
    created_at: iso(account.createdAt),
    balance_asof: clock.sessions[Math.max(0, clock.sessionIndex() - 1)] ?? nyDate(clock.now()),
  };
  if (config.dayTradeRule === 'legacy-pdt') {
    // The pre-2026-07-06 shape (account_legacy_pdt.json): these fields exist only in legacy mode.
    const count = countDayTrades(account.ruleFills(), { now: clock.now(), holidays: clock.holidays });
    out.pattern_day_trader = count >= 4;
    out.daytrade_count = count;
    out.daytrading_buying_power = dec(round(multiplier >= 4 ? 4 * account.lastEquity : 0, 2));
    out.bod_dtbp = out.daytrading_buying_power;
    out.last_daytrade_count = count;
    out.last_daytrading_buying_power = out.daytrading_buying_power;
  }
  return out;
}

/**
 * `GET /v2/account/configurations`; `pdt_check` and `dtbp_check` only under `legacy-pdt`.
 * @example
 * configurationsJson(book).no_shorting; // false on a margin account
 */
export function configurationsJson(book: Book): Record<string, unknown> {
  const { account, config } = book;
  const out: Record<string, unknown> = {
    dtbp_check: undefined,
    no_shorting: !account.shortingEnabled(),
    fractional_trading: true,
    max_margin_multiplier: String(config.marginMultiplier),
    max_options_trading_level: 0,
    pdt_check: undefined,
    ptp_no_exception_entry: false,
    suspend_trade: false,
    trade_confirm_email: 'all',
  };
  if (config.dayTradeRule === 'legacy-pdt') {
    out.dtbp_check = 'entry';
    out.pdt_check = 'entry';
  } else {
    delete out.dtbp_check;
    delete out.pdt_check;
  }
  return out;
}

/**
 * A position as `GET /v2/positions` returns it: signed quantity, value at the last close.
 * @example
 * positionJson(book, position).qty_available; // shares not held for open exit orders
 */
export function positionJson(book: Book, p: SimPosition): Record<string, unknown> {
  const { account } = book;
  const price = account.markPrice(p);
  const lastday = account.lastdayPrice.get(p.symbol) ?? price;
  const mv = p.qty * price;
  const cost = p.qty * p.avgEntryPrice;
  const pl = mv - cost;
  const intraday = p.qty * (price - lastday);
  const held = book.orders.heldForOrders(p.symbol, p.qty > 0 ? 'sell' : 'buy');
  const available = p.qty > 0 ? Math.max(0, p.qty - held) : Math.min(0, p.qty + held);
  const asset = book.assets.get(p.symbol);
  return {
    asset_id: p.assetId,
    symbol: p.symbol,
    exchange: asset?.exchange ?? 'NASDAQ',
    asset_class: 'us_equity',
    asset_marginable: asset?.marginable ?? true,
    qty: dec(p.qty),
    qty_available: dec(available),
    avg_entry_price: dec(round(p.avgEntryPrice, 6)),
    side: p.qty >= 0 ? 'long' : 'short',
    market_value: dec(round(mv, 4)),
    cost_basis: dec(round(cost, 4)),
    unrealized_pl: dec(round(pl, 4)),
    unrealized_plpc: dec(round(cost === 0 ? 0 : pl / Math.abs(cost), 6)),
    unrealized_intraday_pl: dec(round(intraday, 4)),
    unrealized_intraday_plpc: dec(round(lastday === 0 ? 0 : (price - lastday) / lastday, 6)),
    current_price: dec(price),
    lastday_price: dec(lastday),
    change_today: dec(round(lastday === 0 ? 0 : (price - lastday) / lastday, 6)),
  };
}
