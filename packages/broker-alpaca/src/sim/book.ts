/**
 * The parts of one paper exchange, as order intake, matching and the JSON of the account
 * read them. `PaperBook` (`exchange.ts`) holds one of each.
 */
import type { SimAccount } from './account.js';
import type { SimAsset } from './assets.js';
import type { PaperExchangeConfig } from './options.js';
import type { OrderBook } from './order-book.js';
import type { SessionClock } from './session-clock.js';

/** What an exchange is made of. */
export interface Book {
  readonly config: PaperExchangeConfig;
  /** The bar feed and the replay clock. */
  readonly clock: SessionClock;
  readonly assets: ReadonlyMap<string, SimAsset>;
  readonly account: SimAccount;
  readonly orders: OrderBook;
}
