/**
 * Hides credentials written into URLs (`http://user:SECRET@host`, `https://TOKEN@host`,
 * `?api_token=…`) wherever the app prints or logs text. A URL from a flag or the config
 * file may carry them, and an error message or log line quoting that URL must not.
 */

/** `scheme://userinfo@`: the userinfo part stops at the first `/ ? # @` or whitespace. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi;
/** Query parameters whose name says they hold a credential. */
const SECRET_PARAM =
  /([?&](?:[a-z0-9_-]*(?:token|secret|password|passwd|pwd|apikey|api_key|signature|sig|key))=)([^&#\s"'<>]+)/gi;

/**
 * `text` with every URL credential replaced by `***`: the password of `user:password@`
 * (the user name stays, it helps to tell accounts apart), a lone `token@`, and the value
 * of query parameters such as `api_token`, `key` or `secret`.
 *
 * @example
 * redactUrlSecrets('cannot reach http://me:hunter2@127.0.0.1:9/v2'); // 'cannot reach http://me:***@127.0.0.1:9/v2'
 */
export function redactUrlSecrets(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text
    .replace(USERINFO, (_m, scheme: string, info: string) => {
      const colon = info.indexOf(':');
      return colon < 0 ? `${scheme}***@` : `${scheme}${info.slice(0, colon)}:***@`;
    })
    .replace(SECRET_PARAM, (_m, name: string) => `${name}***`);
}
