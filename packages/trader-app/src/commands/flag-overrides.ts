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
export function overridesFromFlags(o: CommandFlags): Overrides {
  return pruneUndefined({
    runDir: o.runDir,
    seed: o.seed,
    backend: o.backend,
    data: { file: o.data, symbols: o.symbols, start: o.start, end: o.end, cacheDir: o.cacheDir },
    log: { file: o.logFile, level: o.logLevel, format: o.logFormat },
    train: {
      agents: o.agents,
      ppo: { totalTimesteps: o.ppoSteps },
      sac: { totalTimesteps: o.sacSteps },
    },
    backtest: {
      seeds: o.seeds,
      trainBars: o.trainBars,
      testBars: o.testBars,
      maxFolds: o.folds,
      ppoSteps: o.retrainPpoSteps,
      sacSteps: o.retrainSacSteps,
    },
    retrain: { everyMinutes: o.retrainMinutes, everyBars: o.retrainBars },
    orders: { type: o.orderType },
    broker: { url: o.alpacaUrl, dataUrl: o.alpacaDataUrl, timeframe: o.timeframe },
    eodhd: { baseUrl: o.eodhdUrl },
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
