import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCESS_NOTE, recordRunProcess, runLiveness } from './run-liveness.js';
import { RunStore } from './store.js';

/** The pid of a process that has already exited (a real one, not a made-up number). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('runLiveness', () => {
  it('calls a running run whose recorded process is gone stale, and one whose process lives in progress', () => {
    const store = RunStore.open(mkdtempSync(join(tmpdir(), 'marlts-live-')));
    const id = store.createRun({ kind: 'backtest' });
    recordRunProcess(store, id);
    const check = () => runLiveness({ ...store.getRun(id)!, notes: store.getNotes(id) });
    const alive = check();
    expect(alive.stale).toBe(false);
    expect(alive.note).toContain(`pid ${process.pid} is writing it`);

    const pid = deadPid();
    store.setNote(id, PROCESS_NOTE, { ...(store.getNotes(id)[PROCESS_NOTE] as object), pid });
    const dead = check();
    expect(dead.stale).toBe(true);
    expect(dead.note).toMatch(new RegExp(`^stale: its process \\(pid ${pid}, since .*\\) no longer runs`));

    store.updateRun(id, { status: 'done' });
    expect(check()).toEqual({ stale: false, note: undefined });
    store.close();
  });

  it('does not guess about another host or a run without a recorded process', () => {
    const run = {
      status: 'running' as const,
      updatedAt: 0,
      notes: { [PROCESS_NOTE]: { pid: 1, host: 'elsewhere', since: '' } },
    };
    const other = runLiveness(run, { host: 'here', isAlive: () => false });
    expect(other.stale).toBe(false);
    expect(other.note).toContain('on elsewhere, which cannot be checked from here');
    const none = runLiveness({ ...run, notes: {} });
    expect(none.stale).toBe(false);
    expect(none.note).toContain('no writer process was recorded');
  });
});
