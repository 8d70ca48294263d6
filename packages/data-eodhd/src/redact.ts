/**
 * Keeps the API token out of every string we log, throw or write: the token travels
 * in the query string (`api_token=`), so URLs are the main leak.
 */

/** Placeholder written where the token was. */
export const REDACTED = '***';

/**
 * Replaces the value of every `api_token=` query parameter, and any literal
 * occurrence of `token` (e.g. echoed back in a response body), with `***`.
 *
 * @example
 * redactToken('https://eodhd.com/api/eod/AAPL.US?api_token=abc&fmt=json', 'abc');
 * // 'https://eodhd.com/api/eod/AAPL.US?api_token=***&fmt=json'
 */
export function redactToken(text: string, token?: string): string {
  let out = text.replace(/(api_token=)[^&#\s"']*/gi, `$1${REDACTED}`);
  if (token !== undefined && token.length > 0) out = out.split(token).join(REDACTED);
  if (token !== undefined && token.length > 0) {
    const encoded = encodeURIComponent(token);
    if (encoded !== token) out = out.split(encoded).join(REDACTED);
  }
  return out;
}
