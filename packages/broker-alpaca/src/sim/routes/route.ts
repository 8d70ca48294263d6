/**
 * What a route of the paper exchange receives and answers. The server parses the request
 * (auth, faults, JSON body); each API area's routes turn it into a status and a JSON
 * payload, or throw a `Rejection`.
 */
import type { PaperBook } from '../exchange.js';

/** One REST request after `/v2`: `/v2/orders/abc?nested=true` → segments `['orders', 'abc']`. */
export interface RouteRequest {
  method: string;
  /** The decoded path segments after `v2`. */
  segments: readonly string[];
  query: URLSearchParams;
  /** The parsed JSON body of a POST or PATCH (undefined otherwise). */
  body: unknown;
}

/** The HTTP status and the JSON payload (undefined: no body). */
export type RouteResult = [status: number, payload: unknown];

/**
 * The routes of one API area; undefined when none of them matches (the server answers 404).
 * @example
 * const clockRoutes: AreaRoutes = (book, { method }) => (method === 'GET' ? [200, clockJson(book)] : undefined);
 */
export type AreaRoutes = (book: PaperBook, req: RouteRequest) => RouteResult | undefined;
