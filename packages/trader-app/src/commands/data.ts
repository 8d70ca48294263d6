/**
 * `marlts data fetch` (EODHD or Alpaca bars into the cache, with progress and the API
 * calls spent) and `marlts data import FILE.csv` (validate, then copy into the run
 * directory's data folder).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createAlpacaClient, isAlpacaError } from '@marlts/broker-alpaca';
import { createEodhdClient, isEodhdError } from '@marlts/data-eodhd';
import type { Bar } from '@marlts/market-env';
import { type Command, Option } from 'commander';
import { AppError } from '../app-error.js';
import { assertNotDirectory } from '../cli-paths.js';
import type { CommandContext } from '../context.js';
import { importedDataPath, loadBars } from '../engine/data.js';
import type { CommandWiring } from './command.js';
import { listFlag } from './flags.js';

/**
 * Registers `marlts data` with its subcommands `fetch` and `import`.
 *
 * @example
 * registerDataCommands(program, wiring);
 */
export function registerDataCommands(program: Command, { globalFlags, action }: CommandWiring): void {
  const data = program.command('data').description('market data: fetch into the cache, or import a CSV');
  globalFlags(
    data
      .command('fetch')
      .description(
        'fetch bars from EODHD (EODHD_API_TOKEN) or Alpaca (ALPACA_KEY_ID/ALPACA_SECRET_KEY) into the cache',
      )
      .addOption(new Option('--source <name>', 'data source').choices(['eodhd', 'alpaca']).default('eodhd'))
      .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT', listFlag)
      .addOption(new Option('--interval <i>', 'bar interval').choices(['1m', '5m', '1h', '1d']).default('1h'))
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
      .option('--to <date>', 'last day (YYYY-MM-DD, default: today)')
      .option('--cache-dir <dir>', 'cache directory (default: <run-dir>/cache)')
      .option('--out <file>', 'also write the bars as a CSV in the shared long format')
      .option('--eodhd-url <url>', 'EODHD base URL (default: https://eodhd.com/api)')
      .option(
        '--alpaca-data-url <url>',
        'Alpaca market-data base URL (default: https://data.alpaca.markets)',
      ),
  ).action(action(runDataFetch));
  globalFlags(
    data
      .command('import')
      .description('validate a bars CSV and copy it into <run-dir>/data')
      .argument('<file>', 'CSV in the shared long format'),
  ).action(
    action(runDataImport, {
      args: (args, cwd) => {
        const files = args.map((a) => resolve(cwd, a));
        // A directory fails here, naming the command, not as EISDIR later.
        if (files[0] !== undefined) assertNotDirectory(files[0], 'data import', '.csv');
        return files;
      },
    }),
  );
}

/** Bars as CSV in the shared long format (`timestamp` for intraday, `date` for daily). */
export function barsToCsv(bars: readonly Bar[], daily: boolean): string {
  const sorted = [...bars].sort((a, b) => a.time - b.time || (a.symbol < b.symbol ? -1 : 1));
  const lines = [`symbol,${daily ? 'date' : 'timestamp'},open,high,low,close,volume`];
  for (const b of sorted) {
    const iso = new Date(b.time).toISOString();
    const t = daily ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
    lines.push([b.symbol, t, b.open, b.high, b.low, b.close, Math.round(b.volume)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export async function runDataFetch(ctx: CommandContext, opts: Record<string, unknown>): Promise<number> {
  const { config, secrets } = ctx;
  const source = String(opts.source ?? 'eodhd');
  const symbols = (opts.symbols as string[] | undefined) ?? [];
  const interval = String(opts.interval ?? '1h');
  const from = String(opts.from);
  const to = opts.to === undefined ? new Date().toISOString().slice(0, 10) : String(opts.to);
  for (const [name, v] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new AppError('USAGE', `${name} must be YYYY-MM-DD, got "${v}"`);
  }
  const cacheDir = resolve(config.data.cacheDir ?? join(config.runDir, 'cache'));
  const all: Bar[] = [];
  let calls = 0;
  if (source === 'eodhd' && !secrets.eodhdApiToken) {
    throw new AppError('MISSING_KEY', 'EODHD_API_TOKEN is not set', {
      hint: 'export EODHD_API_TOKEN=... (or put it in .env); the bundled data needs no key: marlts demo',
    });
  }
  if (source === 'alpaca' && (!secrets.alpacaKeyId || !secrets.alpacaSecretKey)) {
    throw new AppError(
      'MISSING_KEY',
      'ALPACA_KEY_ID and ALPACA_SECRET_KEY must be set to fetch Alpaca bars',
      {
        hint: 'export them (or put them in .env)',
      },
    );
  }
  const task = ctx.progress.start(`fetch ${source} ${interval}`, symbols.length);
  if (source === 'eodhd' && secrets.eodhdApiToken) {
    const client = createEodhdClient({
      apiToken: secrets.eodhdApiToken,
      ...(config.eodhd.baseUrl ? { baseUrl: config.eodhd.baseUrl } : {}),
      cache: { dir: cacheDir },
    });
    try {
      for (const [i, symbol] of symbols.entries()) {
        const bars =
          interval === '1d'
            ? await client.eod(symbol, { from, to })
            : await client.intraday(symbol, { interval: interval as '1m' | '5m' | '1h', from, to });
        for (const b of bars) all.push({ ...b, symbol });
        calls = client.callsSpent;
        task.update(i + 1, `${symbol}: ${bars.length} bars, ${calls} API calls`);
      }
    } catch (e) {
      if (isEodhdError(e)) {
        throw new AppError(e.code === 'AUTH' ? 'MISSING_KEY' : 'DATA', `EODHD: ${e.message}`, { cause: e });
      }
      throw e;
    }
  } else if (secrets.alpacaKeyId && secrets.alpacaSecretKey) {
    const client = createAlpacaClient({
      keyId: secrets.alpacaKeyId,
      secretKey: secrets.alpacaSecretKey,
      env: 'paper',
      ...(config.broker.url ? { baseUrl: config.broker.url } : {}),
      ...(config.broker.dataUrl ? { dataBaseUrl: config.broker.dataUrl } : {}),
    });
    const timeframe = { '1m': '1Min', '5m': '5Min', '1h': '1Hour', '1d': '1Day' }[interval]!;
    try {
      for (const [i, symbol] of symbols.entries()) {
        const bars = await client.getBars({ symbols: [symbol], timeframe, start: from, end: to });
        calls++;
        for (const b of bars) all.push(b);
        task.update(i + 1, `${symbol}: ${bars.length} bars`);
      }
    } catch (e) {
      if (isAlpacaError(e))
        throw new AppError(e.code === 'AUTH' ? 'MISSING_KEY' : 'DATA', `Alpaca: ${e.message}`, { cause: e });
      throw e;
    }
  }
  task.stop(`${all.length} bars`);
  const out = resolve(
    (opts.out as string | undefined) ??
      join(cacheDir, `${source}-${interval}-${symbols.join('_')}-${from}-${to}.csv`),
  );
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, barsToCsv(all, interval === '1d'));
  ctx.out(`${all.length} bars of ${symbols.join(',')} → ${out}`);
  ctx.out(`API calls spent: ${calls}`);
  return 0;
}

export async function runDataImport(
  ctx: CommandContext,
  _opts: Record<string, unknown>,
  args: string[],
): Promise<number> {
  const file = args[0];
  if (!file) throw new AppError('USAGE', 'data import needs a CSV file');
  const data = loadBars({ file, maxGapBars: 5, minBars: 2, onWarning: (w) => ctx.err(`warning: ${w}`) });
  const dest = importedDataPath(ctx.config.runDir, basename(data.file));
  mkdirSync(resolve(dest, '..'), { recursive: true });
  if (resolve(dest) !== data.file) copyFileSync(data.file, dest);
  const first = new Date(data.frame.times[0]!).toISOString();
  const last = new Date(data.frame.times[data.frame.nBars - 1]!).toISOString();
  ctx.out(
    `${data.barCount} bars, ${data.symbols.length} symbol(s) (${data.symbols.join(',')}), ${first} .. ${last}, ` +
      `${Math.round(data.barsPerYear)} bars/year${data.closeOnly ? ', close only' : ''}${data.frame.filledCells ? `, ${data.frame.filledCells} forward-filled cells` : ''}`,
  );
  ctx.out(`imported: ${dest}`);
  return 0;
}
