/**
 * Connecting to an Alpaca-compatible broker: the live-trading guard (`--live` plus
 * ALPACA_ENV=live plus a typed confirmation on a TTY), keys from the environment
 * (any key for a local paper exchange), and a first request that turns "unreachable"
 * and "keys rejected" into clear errors.
 */
import { ALPACA_HOSTS, type AlpacaClient, createAlpacaClient, isAlpacaError } from '@marlts/broker-alpaca';
import { AppError } from '../app-error.js';
import type { CommandContext } from '../context.js';

/** True when the URL is not an Alpaca host (a local paper exchange or a fake). */
export function isLocalBroker(url: string): boolean {
  const host = new URL(url).hostname;
  return !(host === 'alpaca.markets' || host.endsWith('.alpaca.markets'));
}

export async function connectBroker(
  ctx: CommandContext,
  options: { live: boolean },
): Promise<{ broker: AlpacaClient; url: string; local: boolean; env: 'paper' | 'live' }> {
  const { config, secrets } = ctx;
  let env: 'paper' | 'live' = 'paper';
  if (options.live) {
    if (secrets.alpacaEnv !== 'live') {
      throw new AppError('LIVE_REFUSED', '--live needs ALPACA_ENV=live in the environment as well', {
        hint: 'paper trading is the default; live trading needs both --live and ALPACA_ENV=live',
      });
    }
    if (!ctx.isTty) {
      throw new AppError(
        'LIVE_REFUSED',
        'live trading asks for a confirmation, and there is no terminal to ask on',
      );
    }
    const answer = await ctx.ask('Trade REAL MONEY on the live Alpaca account? Type LIVE to continue: ');
    if (answer.trim() !== 'LIVE') throw new AppError('LIVE_REFUSED', 'live trading not confirmed');
    env = 'live';
  }
  if (!options.live && secrets.alpacaEnv === 'live') {
    ctx.err('ALPACA_ENV=live but no --live flag: trading the PAPER account');
  }
  const url = config.broker.url ?? ALPACA_HOSTS[env];
  let local: boolean;
  try {
    local = isLocalBroker(url);
  } catch {
    throw new AppError('CONFIG', `broker.url "${url}" is not a URL`, { field: 'broker.url' });
  }
  if (env === 'live' && local)
    throw new AppError('LIVE_REFUSED', `--live with a non-Alpaca URL (${url}) makes no sense`);
  let keyId = secrets.alpacaKeyId;
  let secretKey = secrets.alpacaSecretKey;
  if (!keyId || !secretKey) {
    if (!local) {
      throw new AppError(
        'MISSING_KEY',
        `ALPACA_KEY_ID and ALPACA_SECRET_KEY must be set to trade on ${url}`,
        {
          hint: 'export them (or put them in .env); for the local paper exchange (`marlts sim`) any key works',
        },
      );
    }
    keyId = 'marlts-sim';
    secretKey = 'marlts-sim';
  }
  let broker: AlpacaClient;
  try {
    broker = createAlpacaClient({
      keyId,
      secretKey,
      env,
      baseUrl: url,
      ...(config.broker.dataUrl ? { dataBaseUrl: config.broker.dataUrl } : {}),
      timeoutMs: config.broker.timeoutMs,
      retry: { retries: 2, baseDelayMs: 300 },
      // Alpaca allows 200 requests/min; a local replay compresses time, so the limit is lifted there.
      ...(local ? { rateLimit: { requestsPerMinute: 1_000_000, dataRequestsPerMinute: 1_000_000 } } : {}),
      logger: {
        debug: (o: Record<string, unknown>, m?: string) => ctx.log.debug(o, m),
        info: (o: Record<string, unknown>, m?: string) => ctx.log.info(o, m),
        warn: (o: Record<string, unknown>, m?: string) => ctx.log.warn(o, m),
        error: (o: Record<string, unknown>, m?: string) => ctx.log.error(o, m),
      },
    });
  } catch (e) {
    if (isAlpacaError(e))
      throw new AppError('CONFIG', e.message, { field: e.field ?? 'broker.url', cause: e });
    throw e;
  }
  try {
    await broker.getAccount();
  } catch (e) {
    if (isAlpacaError(e, 'AUTH') || isAlpacaError(e, 'FORBIDDEN')) {
      throw new AppError('BROKER', `the broker at ${url} rejected the keys: ${e.message}`, { cause: e });
    }
    if (isAlpacaError(e)) {
      throw new AppError('BROKER_UNREACHABLE', `cannot reach the broker at ${url}: ${e.message}`, {
        hint: 'check --alpaca-url (is `marlts sim` running?) and your network',
        cause: e,
      });
    }
    throw e;
  }
  return { broker, url, local, env };
}
