/**
 * The client's three URLs (trading, market data, stream) and the live guard: the live
 * trading host only with an explicit `env: 'live'`, the paper host never with it.
 */
import { configError } from './options.js';

/**
 * Alpaca's hosts (https://docs.alpaca.markets/docs/paper-trading): the client's defaults for
 * `baseUrl`, `dataBaseUrl` and `streamUrl`. Market data uses one host for paper and live.
 * @example
 * createAlpacaClient({ keyId, secretKey, env: 'live' }).config.baseUrl === ALPACA_HOSTS.live; // true
 */
export const ALPACA_HOSTS = {
  paper: 'https://paper-api.alpaca.markets',
  live: 'https://api.alpaca.markets',
  data: 'https://data.alpaca.markets',
  paperStream: 'wss://paper-api.alpaca.markets/stream',
  liveStream: 'wss://api.alpaca.markets/stream',
} as const;

const LIVE_TRADING_HOST = 'api.alpaca.markets';
const PAPER_TRADING_HOST = 'paper-api.alpaca.markets';

function parseUrl(
  value: string,
  field: string,
  protocols: readonly string[],
  secrets: readonly string[],
): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${field} is not a valid URL: ${JSON.stringify(value)}`, field, secrets);
  }
  if (!protocols.includes(url.protocol))
    throw configError(`${field} must use ${protocols.join(' or ')}, got ${url.protocol}`, field, secrets);
  if (url.search || url.hash) throw configError(`${field} must not have a query or fragment`, field, secrets);
  return url;
}

const isAlpacaHost = (host: string) => host === 'alpaca.markets' || host.endsWith('.alpaca.markets');
const trimSlash = (s: string) => s.replace(/\/+$/, '');

/**
 * Resolve the three URLs and apply the live guard. A `baseUrl` that is not an Alpaca host
 * (a local sim or fake) also serves market data and the stream unless they are given:
 * `http://127.0.0.1:4000` → data `http://127.0.0.1:4000`, stream `ws://127.0.0.1:4000/stream`.
 * @example
 * resolveUrls('paper', { baseUrl: 'http://127.0.0.1:4000' }).streamUrl; // 'ws://127.0.0.1:4000/stream'
 */
export function resolveUrls(
  env: 'paper' | 'live',
  given: { baseUrl?: string | undefined; dataBaseUrl?: string | undefined; streamUrl?: string | undefined },
  secrets: readonly string[] = [],
): { baseUrl: string; dataBaseUrl: string; streamUrl: string } {
  const base = parseUrl(given.baseUrl ?? ALPACA_HOSTS[env], 'baseUrl', ['http:', 'https:'], secrets);
  // Paths are `/v2/...`; tolerate a base URL that already ends in /v2.
  const basePath = trimSlash(base.pathname).replace(/\/v2$/, '');
  const baseUrl = `${base.origin}${basePath}`;
  const local = !isAlpacaHost(base.hostname);
  const data = parseUrl(
    given.dataBaseUrl ?? (local ? baseUrl : ALPACA_HOSTS.data),
    'dataBaseUrl',
    ['http:', 'https:'],
    secrets,
  );
  const dataBaseUrl = `${data.origin}${trimSlash(data.pathname).replace(/\/v2$/, '')}`;
  const defaultStream = local
    ? `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}${basePath}/stream`
    : env === 'live'
      ? ALPACA_HOSTS.liveStream
      : ALPACA_HOSTS.paperStream;
  const stream = parseUrl(given.streamUrl ?? defaultStream, 'streamUrl', ['ws:', 'wss:'], secrets);
  const streamUrl = `${stream.origin.replace(/^http/, 'ws')}${trimSlash(stream.pathname)}`;

  // Live guard: the live trading host only with an explicit env: 'live'.
  if (env === 'paper') {
    for (const [field, host] of [
      ['baseUrl', base.hostname],
      ['streamUrl', stream.hostname],
    ] as const)
      if (host === LIVE_TRADING_HOST)
        throw configError(
          `${field} points at the LIVE trading host ${LIVE_TRADING_HOST} but env is 'paper'. ` +
            `Pass env: 'live' explicitly to trade real money, or use ${ALPACA_HOSTS.paper}.`,
          field,
          secrets,
        );
  } else {
    for (const [field, host] of [
      ['baseUrl', base.hostname],
      ['streamUrl', stream.hostname],
    ] as const)
      if (host === PAPER_TRADING_HOST)
        throw configError(
          `${field} points at the paper host ${PAPER_TRADING_HOST} but env is 'live'; use env: 'paper'.`,
          field,
          secrets,
        );
  }
  return { baseUrl, dataBaseUrl, streamUrl };
}
