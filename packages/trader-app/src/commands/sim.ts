/**
 * `marlts sim`: the local Alpaca-compatible paper exchange as its own process. It
 * replays `--data` as a live session (auto-advancing at `--speed` bars per second),
 * prints its base URL as the FIRST stdout line, and runs until the replay ends (plus
 * a grace period so clients can reconcile) or Ctrl-C.
 */
import { startPaperExchange } from '@marlts/broker-alpaca/sim';
import type { Command } from 'commander';
import { AppError } from '../app-error.js';
import type { CommandContext } from '../context.js';
import { loadBars } from '../engine/data.js';
import type { CommandWiring } from './command.js';
import { dataFlags, intFlag, numFlag } from './flags.js';

/**
 * Registers `marlts sim` (no --run-dir: the exchange keeps its state in memory).
 *
 * @example
 * registerSimCommand(program, wiring);
 */
export function registerSimCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    dataFlags(
      program
        .command('sim')
        .description(
          'run the local Alpaca-compatible paper exchange, replaying --data as a live session; ' +
            'prints its base URL on the first stdout line',
        )
        .option('--port <n>', 'port, 0 = any free port', intFlag('--port', { min: 0, max: 65_535 }), 0)
        .option('--host <host>', 'interface to listen on', '127.0.0.1')
        .option(
          '--speed <barsPerSecond>',
          'advance automatically at this many bars per second (0 = only when asked)',
          numFlag('--speed', { min: 0 }),
          0,
        )
        .option(
          '--warmup-bars <n>',
          'bars already visible as history when the session starts',
          intFlag('--warmup-bars', { min: 0 }),
          60,
        )
        .option('--cash <usd>', 'starting cash', numFlag('--cash', { min: 0, exclusiveMin: true }), 100_000)
        .option(
          '--rate-limit <perMinute>',
          'answer 429 above this many requests per minute, as Alpaca does at 200 (0 = off)',
          intFlag('--rate-limit', { min: 0 }),
          0,
        )
        .option(
          '--grace-seconds <n>',
          'keep serving this long after the replay ended (with --speed)',
          numFlag('--grace-seconds', { min: 0 }),
          30,
        ),
      false,
    ),
    { runDir: false },
  ).action(action(runSim));
}

export async function runSim(ctx: CommandContext, opts: Record<string, unknown>): Promise<number> {
  const { config } = ctx;
  const data = loadBars({ ...config.data, minBars: 2, onWarning: (w) => ctx.err(`warning: ${w}`) });
  const speed = Number(opts.speed ?? 0);
  const warmup = Math.min(Number(opts.warmupBars ?? 60), data.frame.nBars - 1);
  const port = Number(opts.port ?? 0);
  const host = String(opts.host ?? '127.0.0.1');
  const exchange = await startPaperExchange({
    port,
    host,
    bars: data.bars,
    initialCash: Number(opts.cash ?? 100_000),
    dayTradeRule: config.risk.dayTradeRule,
    speed: 0,
    // Alpaca's 200 requests/minute (0 = off, the default: a fast replay compresses time).
    rateLimitPerMinute: Number(opts.rateLimit ?? 0),
  }).catch((e: unknown) => {
    throw listenError(e, host, port);
  });
  // History visible from the start, so a client can build features at once.
  exchange.advance(warmup);
  ctx.out(exchange.url);
  ctx.log.info(
    {
      url: exchange.url,
      streamUrl: exchange.streamUrl,
      bars: data.frame.nBars,
      symbols: data.symbols,
      warmup,
      speed,
    },
    'paper exchange listening',
  );
  ctx.info(
    `paper exchange at ${exchange.url} replaying ${data.file} (${data.symbols.length} symbols, ${data.frame.nBars} bars, ` +
      `${warmup} visible as history)${speed > 0 ? ` at ${speed} bars/s` : '; advancing only on request'}; Ctrl-C stops it`,
  );
  const graceMs = Number(opts.graceSeconds ?? 30) * 1000;
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let doneAt: number | undefined;
    const stop = () => {
      if (timer) clearInterval(timer);
      resolve();
    };
    ctx.signal.addEventListener('abort', stop, { once: true });
    if (speed > 0) {
      timer = setInterval(
        () => {
          if (doneAt === undefined && exchange.advance(1) > 0) return;
          if (doneAt === undefined) {
            doneAt = Date.now();
            ctx.info('replay finished; still serving for reconciliation');
          }
          if (Date.now() - doneAt >= graceMs) stop();
        },
        Math.max(1, Math.round(1000 / speed)),
      );
    }
  });
  const state = exchange.state();
  ctx.log.info(
    { cursor: state.cursor, done: state.done, positions: state.positions.length },
    'paper exchange stopping',
  );
  await exchange.close();
  return 0;
}

/** Why the exchange could not listen on `host:port`, as the operator can fix it. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new AppError('USAGE', `--port ${port}: ${where} is already in use by another process`, {
      field: '--port',
      hint: 'stop that process, pick another --port, or pass --port 0 for any free port',
      cause: e,
    });
  }
  if (code === 'EACCES') {
    return new AppError('USAGE', `--port ${port}: not allowed to listen on ${where}`, {
      field: '--port',
      hint: 'ports below 1024 need privileges: use a port above 1023, or --port 0',
      cause: e,
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AppError('USAGE', `--host ${host} is not an address of this machine`, {
      field: '--host',
      hint: 'use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
      cause: e,
    });
  }
  return e;
}
