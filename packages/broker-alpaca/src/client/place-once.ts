/**
 * Idempotent order placement. Order submission (`POST /v2/orders`) and replacement
 * (`PATCH /v2/orders/{id}`) are not idempotent on the wire, so the client fixes a
 * `client_order_id` before the first attempt: Alpaca refuses a second order with the same
 * id, so a resend after an uncertain outcome cannot create a duplicate.
 */
import { AlpacaError } from '../errors.js';
import { HttpClient, type HttpResult, type RequestSpec } from '../http.js';
import { OrderSchema } from '../schemas/trading.js';
import type { Order } from '../types.js';
import type { ClientContext } from './context.js';

/** One order-creating request and how to recognise its order. */
export interface Placement {
  spec: RequestSpec;
  /** The id fixed before the first attempt (also in `spec.body`). */
  clientOrderId: string;
  /** Throws when the order found under the client id is not the one this request meant. */
  check: (order: Order) => void;
  /** `GET /v2/orders:by_client_order_id` (a 404 is `NOT_FOUND`). */
  getByClientId: (clientOrderId: string) => Promise<Order>;
}

const isUniqueIdError = (e: AlpacaError) =>
  e.status === 422 && /client_order_id/i.test(e.message) && /unique/i.test(e.message);

/**
 * POST/PATCH an order-creating request so that at most one order results:
 * - 2xx → the order;
 * - 429 → Alpaca did not execute it: wait for the reset, send again with the same id;
 * - 422 "client_order_id must be unique" → it exists: return it;
 * - timeout, dropped connection, 5xx, unparsable 2xx → uncertain: look the order up by
 *   client id; found → return it, 404 → send again (a duplicate would be refused by the
 *   unique id, so this cannot create a second order);
 * - any other 4xx → rejected, unless an earlier attempt was uncertain: then one more
 *   look-up first (the earlier attempt may be what made this one fail).
 * @example
 * const order = await placeOnce(ctx, { spec, clientOrderId: body.client_order_id, check: () => {}, getByClientId });
 */
export async function placeOnce(ctx: ClientContext, placement: Placement): Promise<Order> {
  const { trading, options, sleep } = ctx;
  const { spec, clientOrderId, check } = placement;
  const label = HttpClient.label(spec);
  const attempts = options.retry.retries + 1;
  let uncertain: AlpacaError | undefined;

  /** Order by client id, or `null` on 404. Other failures propagate. */
  async function findByClientId(): Promise<Order | null> {
    try {
      return await placement.getByClientId(clientOrderId);
    } catch (e) {
      if (e instanceof AlpacaError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }
  const lookup = async (): Promise<Order | null> => {
    try {
      return await findByClientId();
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw trading.error(
        'NETWORK',
        `${label}: outcome unknown for client order id ${clientOrderId} (${uncertain?.message ?? 'uncertain'}); ` +
          `the look-up failed too (${why}). Look it up with getOrderByClientId before resubmitting.`,
        { clientOrderId, request: label, ...(uncertain?.status ? { status: uncertain.status } : {}) },
      );
    }
  };
  const found = (order: Order) => {
    check(order);
    return order;
  };
  for (let attempt = 0; attempt < attempts; attempt++) {
    let result: HttpResult | undefined;
    try {
      result = await trading.attempt(spec);
    } catch (e) {
      if (!(e instanceof AlpacaError)) throw e;
      uncertain = trading.error(e.code, e.message, {
        clientOrderId,
        request: label,
        ...(e.status ? { status: e.status } : {}),
      });
    }
    if (result) {
      if (result.status >= 200 && result.status < 300) {
        const r = OrderSchema.safeParse(result.body);
        if (r.success) return found(r.data);
        uncertain = trading.error('BAD_RESPONSE', `${label}: ${result.status} with an unreadable order`, {
          status: result.status,
          clientOrderId,
          request: label,
        });
      } else {
        const err = trading.errorFromResult(spec, result, { clientOrderId });
        if (result.status === 429) {
          if (attempt + 1 >= attempts) {
            if (uncertain) {
              const existing = await lookup();
              if (existing) return found(existing);
            }
            throw err;
          }
          await trading.waitForReset(spec, result, attempt);
          continue;
        }
        if (isUniqueIdError(err)) {
          const existing = await lookup();
          if (existing) return found(existing);
          throw err;
        }
        if (result.status < 500) {
          if (uncertain) {
            const existing = await lookup();
            if (existing) return found(existing);
          }
          throw err;
        }
        uncertain = err;
      }
    }
    // Uncertain outcome: decide by looking the order up, never by a blind resend.
    trading.log(
      'warn',
      { request: label, clientOrderId, reason: uncertain?.message },
      'alpaca order outcome uncertain, looking it up',
    );
    const existing = await lookup();
    if (existing) return found(existing);
    if (attempt + 1 < attempts) await sleep(trading.backoffDelay(attempt));
  }
  throw trading.error(
    uncertain?.code ?? 'NETWORK',
    `${label}: not placed after ${attempts} attempts (client order id ${clientOrderId}): ${uncertain?.message ?? ''}`,
    { clientOrderId, request: label, ...(uncertain?.status ? { status: uncertain.status } : {}) },
  );
}
