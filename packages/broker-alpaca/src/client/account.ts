/**
 * The account area: `GET /v2/account`, `/v2/account/configurations`, `/v2/clock` and
 * `/v2/calendar`.
 */
import { z } from 'zod';
import { AccountConfigSchema, AccountSchema, CalendarDaySchema, ClockSchema } from '../schemas/trading.js';
import type { AccountApi } from './api.js';
import type { ClientContext } from './context.js';

const isoDate = (v: string | Date) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);

/**
 * The account methods of the client.
 * @example
 * const { getAccount } = accountApi(ctx);
 * (await getAccount()).buyingPower;
 */
export function accountApi(ctx: ClientContext): AccountApi {
  const { get } = ctx;
  return {
    getAccount: () => get(AccountSchema, { path: '/v2/account' }),
    getAccountConfig: () => get(AccountConfigSchema, { path: '/v2/account/configurations' }),
    getClock: () => get(ClockSchema, { path: '/v2/clock' }),
    getCalendar: ({ start, end }) =>
      get(z.array(CalendarDaySchema), {
        path: '/v2/calendar',
        query: { start: isoDate(start), end: isoDate(end) },
      }),
  };
}
