/**
 * The options of `createAlpacaClient`, validated with zod at the boundary; defaults live in
 * the schema. A bad option is a `CONFIG` error naming the field, with the keys redacted.
 */
import { z } from 'zod';
import { AlpacaError, redactSecrets } from '../errors.js';
import type { AlpacaLogger, RetryOptions } from '../http.js';

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const fn = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'function', { message: `${what} must be a function` });

const OptionsSchema = z.object({
  keyId: z
    .string({ message: 'keyId is required (your Alpaca API key id)' })
    .min(1, 'keyId must not be empty'),
  secretKey: z
    .string({ message: 'secretKey is required (your Alpaca API secret)' })
    .min(1, 'secretKey must not be empty'),
  env: z.enum(['paper', 'live']).default('paper'),
  baseUrl: z.string().optional(),
  dataBaseUrl: z.string().optional(),
  streamUrl: z.string().optional(),
  fetch: fn<FetchLike>('fetch').optional(),
  logger: z
    .custom<AlpacaLogger>((v) => typeof v === 'object' && v !== null, { message: 'logger must be an object' })
    .optional(),
  timeoutMs: z.number().int().positive().default(10_000),
  retry: z
    .object({
      retries: z.number().int().min(0).max(20).default(3),
      baseDelayMs: z.number().min(0).default(500),
      maxDelayMs: z.number().min(0).default(60_000),
      jitter: z.boolean().default(true),
    })
    .prefault({}),
  rateLimit: z
    .object({
      requestsPerMinute: z.number().int().positive().default(200),
      dataRequestsPerMinute: z.number().int().positive().default(200),
    })
    .prefault({}),
  feed: z.enum(['iex', 'sip', 'otc', 'boats', 'delayed_sip']).default('iex'),
  stream: z
    .object({
      pingIntervalMs: z.number().int().positive().default(10_000),
      reconnectBaseDelayMs: z.number().min(0).default(500),
      reconnectMaxDelayMs: z.number().min(0).default(30_000),
      reconcileMarginMs: z.number().min(0).default(10_000),
    })
    .prefault({}),
  now: fn<() => number>('now').optional(),
  sleep: fn<(ms: number) => Promise<void>>('sleep').optional(),
  generateClientOrderId: fn<() => string>('generateClientOrderId').optional(),
});

/** Options of {@link createAlpacaClient}. */
export type AlpacaClientOptions = z.input<typeof OptionsSchema>;

/** The options with defaults filled in, secrets included (internal: never handed out). */
export type ParsedClientOptions = z.output<typeof OptionsSchema>;

/** The parsed options, readable back as `client.config` (without the secrets). */
export interface AlpacaClientConfig {
  env: 'paper' | 'live';
  baseUrl: string;
  dataBaseUrl: string;
  streamUrl: string;
  timeoutMs: number;
  retry: RetryOptions;
  rateLimit: { requestsPerMinute: number; dataRequestsPerMinute: number };
  feed: 'iex' | 'sip' | 'otc' | 'boats' | 'delayed_sip';
  stream: {
    pingIntervalMs: number;
    reconnectBaseDelayMs: number;
    reconnectMaxDelayMs: number;
    reconcileMarginMs: number;
  };
}

/**
 * A `CONFIG` error naming the option, with the keys redacted from the message.
 * @example
 * throw configError('baseUrl is not a valid URL', 'baseUrl', [keyId, secretKey]);
 */
export function configError(message: string, field: string, secrets: readonly string[]): AlpacaError {
  return new AlpacaError('CONFIG', redactSecrets(message, secrets), { field });
}

/**
 * Validate the client options; the first problem is a `CONFIG` error naming its field.
 * @example
 * parseClientOptions({ keyId: 'k', secretKey: 's' }).env; // 'paper'
 */
export function parseClientOptions(options: AlpacaClientOptions): ParsedClientOptions {
  const rawSecrets = [options?.keyId, options?.secretKey].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'options';
    throw configError(
      `invalid Alpaca client option ${field}: ${issue?.message ?? 'invalid'}`,
      field,
      rawSecrets,
    );
  }
  return parsed.data;
}
