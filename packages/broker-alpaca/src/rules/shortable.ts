/**
 * Whether an order may open (or add to) a short position. Alpaca opens shorts
 * only in assets that are `shortable` and easy to borrow, only in whole shares,
 * and only in margin accounts with at least $2,000 of equity.
 */
import { OK, type RuleResult, refuse } from './result.js';

/** The asset fields the rule reads: an `Asset` as the client returns it fits. */
export interface ShortableAsset {
  symbol: string;
  shortable?: boolean;
  /** Alpaca's `easy_to_borrow`, deprecated since 2026-06-05 in favour of `borrowStatus`; read as a fallback. */
  easyToBorrow?: boolean | null;
  /** Alpaca's `borrow_status`. */
  borrowStatus?: 'easy_to_borrow' | 'hard_to_borrow' | (string & {});
  /** The wire name is not read: pass `easyToBorrow` (a compile error here rather than a silent "no"). */
  easy_to_borrow?: never;
  /** The wire name is not read: pass `borrowStatus`. */
  borrow_status?: never;
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
 * True when the asset is easy to borrow: `borrowStatus` first, then the
 * deprecated `easyToBorrow`; unknown means no.
 * @example
 * isEasyToBorrow({ symbol: 'AAPL', borrowStatus: 'easy_to_borrow' }); // true
 */
export function isEasyToBorrow(asset: ShortableAsset): boolean {
  if (asset.borrowStatus !== undefined) return asset.borrowStatus === 'easy_to_borrow';
  return asset.easyToBorrow === true;
}

/**
 * Check that a short sale may be opened.
 * @example
 * checkShortable({ asset: await alpaca.getAsset('MSFT'), qty: 10, equity: 5_000 });
 * // { ok: true } for a shortable, easy-to-borrow asset
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
