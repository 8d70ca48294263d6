/**
 * Test helpers: a client pointed at a FakeAlpaca, with a virtual clock (sleep advances
 * `now` instantly and records the wait) and a logger that keeps every line, so tests can
 * assert waits and grep logs for secrets.
 */
import { type AlpacaClientOptions, createAlpacaClient } from '../src/index.js';
import { FakeAlpaca, type FakeAlpacaOptions } from './fake-alpaca.js';

export interface VirtualClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Every requested wait, in ms. */
  slept: number[];
}

export function virtualClock(start = Date.now()): VirtualClock {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += Math.max(0, ms);
      await new Promise((r) => setImmediate(r));
    },
    slept,
  };
}

export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

export function captureLogger() {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

export async function startFake(options: FakeAlpacaOptions = {}) {
  return new FakeAlpaca(options).start();
}

export function clientFor(
  fake: FakeAlpaca,
  extra: Partial<AlpacaClientOptions> = {},
  clock: VirtualClock = virtualClock(),
) {
  const log = captureLogger();
  const client = createAlpacaClient({
    keyId: fake.keyId,
    secretKey: fake.secretKey,
    baseUrl: fake.url,
    timeoutMs: 2_000,
    retry: { retries: 3, baseDelayMs: 100, maxDelayMs: 60_000, jitter: false },
    logger: log.logger,
    now: clock.now,
    sleep: clock.sleep,
    ...extra,
  });
  return { client, clock, log };
}
