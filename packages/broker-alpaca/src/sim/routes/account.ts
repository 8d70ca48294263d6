/** `GET /v2/account` and `GET /v2/account/configurations`. */
import { accountJson, configurationsJson } from '../wire/account.js';
import type { AreaRoutes } from './route.js';

/**
 * The account routes.
 * @example
 * accountRoutes(book, { method: 'GET', segments: ['account'], query, body: undefined }); // [200, { … }]
 */
export const accountRoutes: AreaRoutes = (book, { method, segments }) => {
  const [, sub] = segments;
  if (sub === undefined && method === 'GET') return [200, accountJson(book)];
  if (sub === 'configurations' && method === 'GET') return [200, configurationsJson(book)];
  return undefined;
};
