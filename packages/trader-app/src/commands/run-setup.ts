/**
 * Shared start of the commands that create a run: open the store, create the run row
 * with its data range and writer process (stale-run detection), and store the resolved config.
 */
import type { AppConfig } from '../config.js';
import type { LoadedData } from '../engine/data.js';
import { recordRunProcess } from '../run-liveness.js';
import { type RunKind, RunStore } from '../store.js';

export interface OpenedRun {
  store: RunStore;
  runId: string;
  configSha256: string;
}

export function openRun(config: AppConfig, kind: RunKind, data?: LoadedData): OpenedRun {
  const store = RunStore.open(config.runDir);
  const runId = store.createRun({
    kind,
    seed: config.seed,
    ...(data
      ? {
          dataFile: data.file,
          dataStart: data.frame.times[0]!,
          dataEnd: data.frame.times[data.frame.nBars - 1]!,
          symbols: data.symbols,
        }
      : {}),
  });
  recordRunProcess(store, runId);
  const configSha256 = store.saveConfig(runId, config);
  if (data) {
    store.setNote(runId, 'data', {
      file: data.file,
      sha256: data.sha256,
      bars: data.frame.nBars,
      barsPerYear: Math.round(data.barsPerYear),
      closeOnly: data.closeOnly,
      forwardFilledCells: data.frame.filledCells,
    });
  }
  return { store, runId, configSha256 };
}

/** The cost line every report carries. */
export function costsNote(config: AppConfig): string {
  return (
    `Costs included in every agent and heuristic metric: fees ${config.env.feeBps} bps of traded notional, ` +
    `linear market impact (coefficient ${config.env.impactCoeff} on the aggregated net notional of all agents, capped at 5%), ` +
    `borrow ${config.env.borrowBpsPerYear} bps/year on short value. Buy-and-hold and equal-weight trade alone (fees, no impact).`
  );
}
