/**
 * Whether an order may open (or add to) a short position. Alpaca opens shorts
 * only in assets that are `shortable` and easy to borrow, only in whole shares,
 * and only in margin accounts with at least $2,000 of equity.
 */
import { OK, type RuleResult, refuse } from './result.js';

/** The asset fields the rule reads (Alpaca's Asset object, either shape). */
export interface ShortableAsset {
  symbol: string;
  shortable?: boolean;
  /** Deprecated since 2026-06-05 in favour of `borrow_status`; read as a fallback. */
  easy_to_borrow?: boolean;
  borrow_status?: 'easy_to_borrow' | 'hard_to_borrow' | (string & {});
}

/** Input of {@link checkShortable}. */
export interface ShortableInput {
  asset: ShortableAsset;
  /** Shares that would be sold short (the part of the sell beyond the long position). */
  qty?: number;
  /** A notional (dollar) sell cannot open a short. */
  notional?: number;
  /** Current account equity. */
  equity: number;
  /** Account-level switch (`shorting_enabled`; false when `no_shorting` is configured). */
  shortingEnabled?: boolean;
  /** Minimum equity to short (default 2,000). */
  minEquity?: number;
}

/**
 * True when the asset is easy to borrow: `borrow_status` first, then the
 * deprecated `easy_to_borrow`; unknown means no.
 * @example
 * isEasyToBorrow({ symbol: 'AAPL', borrow_status: 'easy_to_borrow' }); // true
 */
export function isEasyToBorrow(asset: ShortableAsset): boolean {
  if (asset.borrow_status !== undefined) return asset.borrow_status === 'easy_to_borrow';
  return asset.easy_to_borrow === true;
}

/**
 * Check that a short sale may be opened.
 * @example
 * checkShortable({ asset: { symbol: 'MSFT', shortable: true, easy_to_borrow: true }, qty: 10, equity: 5_000 });
 * // { ok: true }
 */
export function checkShortable(input: ShortableInput): RuleResult {
  const { asset } = input;
  const minEquity = input.minEquity ?? 2_000;
  if (input.shortingEnabled === false || input.equity < minEquity) {
    return refuse(
      'NOT_SHORTABLE',
      `account is not allowed to short (shorting needs a margin account with equity >= ${minEquity}; equity is ${input.equity})`,
    );
  }
  if (asset.shortable !== true) return refuse('NOT_SHORTABLE', `asset ${asset.symbol} is not shortable`);
  if (!isEasyToBorrow(asset))
    return refuse('NOT_SHORTABLE', `asset ${asset.symbol} cannot be sold short: it is hard to borrow`);
  if (input.notional !== undefined || (input.qty !== undefined && !Number.isInteger(input.qty))) {
    return refuse('NOT_SHORTABLE', 'fractional orders are not allowed to short');
  }
  return OK;
}
