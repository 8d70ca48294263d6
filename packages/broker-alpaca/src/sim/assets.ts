/**
 * The exchange's assets: one per symbol of the feed or of the `assets` option, a plain,
 * shortable, easy-to-borrow, fractionable NASDAQ stock unless the option says otherwise.
 * They are kept in Alpaca's JSON shape: `GET /v2/assets` answers them as they are.
 */
import { randomUUID } from 'node:crypto';
import type { PaperExchangeConfig } from './options.js';

/** An asset as `GET /v2/assets/{symbol}` returns it. */
export interface SimAsset {
  id: string;
  class: 'us_equity';
  exchange: string;
  symbol: string;
  name: string;
  status: 'active' | 'inactive';
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easy_to_borrow: boolean;
  borrow_status: 'easy_to_borrow' | 'hard_to_borrow';
  fractionable: boolean;
  maintenance_margin_requirement: number;
  margin_requirement_long: string;
  margin_requirement_short: string;
  attributes: string[];
}

/**
 * The asset table, by symbol (sorted), for the feed's symbols and the configured ones.
 * @example
 * buildAssets(config, ['MSFT']).get('MSFT')?.borrow_status; // 'easy_to_borrow'
 */
export function buildAssets(
  config: PaperExchangeConfig,
  feedSymbols: Iterable<string>,
): Map<string, SimAsset> {
  const assets = new Map<string, SimAsset>();
  const symbols = new Set([...feedSymbols, ...config.assets.map((a) => a.symbol)]);
  for (const symbol of [...symbols].sort()) {
    const given = config.assets.find((a) => a.symbol === symbol) ?? { symbol };
    // `borrow_status` replaced `easy_to_borrow` on 2026-06-05; either may be given.
    const easyToBorrow = given.borrow_status
      ? given.borrow_status === 'easy_to_borrow'
      : (given.easy_to_borrow ?? true);
    assets.set(symbol, {
      id: randomUUID(),
      class: 'us_equity',
      exchange: given.exchange ?? 'NASDAQ',
      symbol,
      name: given.name ?? `${symbol} (paper exchange)`,
      status: given.status ?? 'active',
      tradable: given.tradable ?? true,
      marginable: given.marginable ?? true,
      shortable: given.shortable ?? true,
      easy_to_borrow: easyToBorrow,
      borrow_status: easyToBorrow ? 'easy_to_borrow' : 'hard_to_borrow',
      fractionable: given.fractionable ?? true,
      maintenance_margin_requirement: 30,
      margin_requirement_long: '30',
      margin_requirement_short: '100',
      attributes: [],
    });
  }
  return assets;
}
