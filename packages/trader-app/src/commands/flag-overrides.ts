/**
 * Which flag sets which config field. A flag name means the same field in every command
 * that has it (`--ppo-steps` is the PPO budget in train, backtest and paper), so this is
 * one table; a flag a command lacks is undefined and dropped. Flags that are no config
 * (`--quick`, `--out`, `--port`) stay out of it: their handlers read them directly.
 */
import type { Overrides } from '../config.js';
import type { CommandFlags } from './command.js';

/**
 * The config overrides given by a command's flags (unset ones left out).
 *
 * @example
 * overridesFromFlags({ seed: 3, ppoSteps: 1024 }); // { seed: 3, train: { ppo: { totalTimesteps: 1024 } } }
 */
export function overridesFromFlags(flags: CommandFlags): Overrides {
  return pruneUndefined({
    runDir: flags.runDir,
    seed: flags.seed,
    backend: flags.backend,
    data: {
      file: flags.data,
      symbols: flags.symbols,
      start: flags.start,
      end: flags.end,
      cacheDir: flags.cacheDir,
    },
    log: { file: flags.logFile, level: flags.logLevel, format: flags.logFormat },
    train: {
      agents: flags.agents,
      ppo: { totalTimesteps: flags.ppoSteps },
      sac: { totalTimesteps: flags.sacSteps },
    },
    backtest: {
      seeds: flags.seeds,
      trainBars: flags.trainBars,
      testBars: flags.testBars,
      maxFolds: flags.folds,
      ppoSteps: flags.retrainPpoSteps,
      sacSteps: flags.retrainSacSteps,
    },
    retrain: { everyMinutes: flags.retrainMinutes, everyBars: flags.retrainBars },
    orders: { type: flags.orderType },
    broker: { url: flags.alpacaUrl, dataUrl: flags.alpacaDataUrl, timeframe: flags.timeframe },
    eodhd: { baseUrl: flags.eodhdUrl },
  }) as Overrides;
}

/** Drops undefined values and the objects left empty by that, at every depth. */
function pruneUndefined(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = pruneUndefined(x);
    if (p === undefined) continue;
    if (typeof p === 'object' && p !== null && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}
