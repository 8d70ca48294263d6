/**
 * Is a run that says `running` really running? A killed process (kill -9, a crash, a
 * closed laptop) never gets to write its final status, so the store alone cannot tell.
 * Each run records the process writing it (note `process`: pid, host, start time); a
 * reader checks whether that process still exists on this host.
 */
import { hostname } from 'node:os';
import type { RunRow, RunStore } from './store.js';

/** The note key holding the writer process of a run. */
export const PROCESS_NOTE = 'process';

/** What `recordRunProcess` stores. */
export interface RunProcess {
  pid: number;
  host: string;
  /** ISO time the process took the run over (a resumed run records its new process). */
  since: string;
}

/**
 * Records the current process as the writer of `runId` (call it when a run is created
 * or resumed).
 *
 * @example
 * const runId = store.createRun({ kind: 'backtest' });
 * recordRunProcess(store, runId);
 */
export function recordRunProcess(store: RunStore, runId: string): void {
  const p: RunProcess = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  store.setNote(runId, PROCESS_NOTE, p);
}

/** Whether process `pid` exists on this host (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProcess(notes: Record<string, unknown>): RunProcess | undefined {
  const p = notes[PROCESS_NOTE] as Partial<RunProcess> | undefined;
  return p && typeof p.pid === 'number' && typeof p.host === 'string'
    ? { pid: p.pid, host: p.host, since: String(p.since ?? '') }
    : undefined;
}

/** The verdict on a run's status. */
export interface RunLiveness {
  /** `running` whose writer is gone (`true`), alive or unknowable (`false`); other statuses: `false`. */
  stale: boolean;
  /** One sentence for the report beside the status (undefined for a finished run). */
  note: string | undefined;
}

/**
 * Judges whether a `running` run is still being written. `notes` are the run's notes
 * (`store.getNotes(id)`), where `recordRunProcess` keeps the writer.
 *
 * @example
 * const { stale, note } = runLiveness({ ...store.getRun(id)!, notes: store.getNotes(id) });
 * if (stale) console.log(`running — stale: ${note}`);
 */
export function runLiveness(
  run: Pick<RunRow, 'status' | 'updatedAt'> & { notes: Record<string, unknown> },
  env: { host?: string; isAlive?: (pid: number) => boolean } = {},
): RunLiveness {
  if (run.status !== 'running') return { stale: false, note: undefined };
  const last = `last written ${new Date(run.updatedAt).toISOString()}`;
  const p = readProcess(run.notes);
  if (!p) {
    return {
      stale: false,
      note: `no writer process was recorded (${last}); if no marlts command is working on this run, it was killed`,
    };
  }
  const here = env.host ?? hostname();
  if (p.host !== here) {
    return {
      stale: false,
      note: `written by pid ${p.pid} on ${p.host}, which cannot be checked from ${here} (${last})`,
    };
  }
  if ((env.isAlive ?? processAlive)(p.pid)) {
    return { stale: false, note: `in progress: pid ${p.pid} is writing it (${last})` };
  }
  return {
    stale: true,
    note: `stale: its process (pid ${p.pid}, since ${p.since}) no longer runs, so the run was killed or crashed before it finished (${last}); its results are incomplete`,
  };
}
