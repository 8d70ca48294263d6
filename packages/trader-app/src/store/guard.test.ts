import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@marlts/rl-core';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../app-error.js';
import { parseConfig } from '../config.js';
import { type AgentPair, trainPair } from '../engine/agents.js';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoints.js';
import { loadBars } from '../engine/data.js';
import { RunStore, SCHEMA_VERSION, STORE_FILE } from '../store.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'marlts-guard-'));
const data = loadBars({ symbols: ['AA', 'KO'], start: '1998-06-01', end: '1998-12-31' });
let pair: AgentPair;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  pair = await trainPair({
    frame: data.frame,
    config: parseConfig({ env: { windowBars: 5 } }),
    seed: 1,
    ppoSteps: 64,
    sacSteps: 0,
  });
});

/** A run dir whose store records one checkpoint (rl-long-0 v1). */
async function runDirWithCheckpoint(dir = tmp()) {
  const store = RunStore.open(dir);
  const runId = store.createRun({ kind: 'train', seed: 1 });
  const row = await saveCheckpoint(store, dir, {
    runId,
    agent: 'rl-long-0',
    algo: 'ppo',
    model: pair.long!,
    seed: 1,
    dataStart: 0,
    dataEnd: 1,
    configSha256: 'c',
    parentId: null,
    promoted: true,
  });
  store.close();
  return { dir, runId, row, file: join(dir, 'checkpoints', 'rl-long-0-v1.json') };
}

/** Turns a store into what marlts wrote before schema v2: absolute checkpoint paths. */
function downgradeToV1(dir: string): void {
  const db = new Database(join(dir, STORE_FILE));
  db.prepare("UPDATE checkpoints SET path = ? || '/' || path").run(dir);
  db.prepare('DELETE FROM schema_version WHERE version > 1').run();
  // v3's sweep tables did not exist then either.
  db.exec('DROP TABLE sweep_jobs; DROP TABLE sweep_configs;');
  db.close();
}

function thrown(fn: () => unknown): Error & { code?: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string; hint?: string };
  }
  throw new Error('expected a throw');
}

describe('run store safety', () => {
  it('refuses an emptied or deleted store in a run dir that holds checkpoints, and creates nothing', async () => {
    const { dir, file } = await runDirWithCheckpoint();
    const bytes = readFileSync(file);
    for (const f of ['-wal', '-shm']) rmSync(join(dir, STORE_FILE + f), { force: true });
    truncateSync(join(dir, STORE_FILE), 0); // `: > marlts.db`
    const empty = thrown(() => RunStore.open(dir));
    expect(isAppError(empty, 'STORE')).toBe(true);
    expect(empty.message).toContain(`${join(dir, STORE_FILE)} is empty`);
    expect(empty.message).toContain('checkpoints/rl-long-0-v1.json');
    expect(empty.hint).toContain('new --run-dir');
    expect(statSync(join(dir, STORE_FILE)).size).toBe(0);
    rmSync(join(dir, STORE_FILE));
    const missing = thrown(() => RunStore.open(dir));
    expect(missing.message).toContain('is missing');
    expect(existsSync(join(dir, STORE_FILE))).toBe(false);
    expect(readFileSync(file)).toEqual(bytes);
  });

  it('never overwrites a checkpoint file the store does not know', async () => {
    const dir = tmp();
    RunStore.open(dir).close();
    cpSync(join(dir, STORE_FILE), join(dir, 'older.db'));
    const { file } = await runDirWithCheckpoint(dir);
    const bytes = readFileSync(file);
    // The store is put back to a copy from before v1 was saved.
    for (const f of ['-wal', '-shm']) rmSync(join(dir, STORE_FILE + f), { force: true });
    renameSync(join(dir, 'older.db'), join(dir, STORE_FILE));
    const store = RunStore.open(dir);
    const runId = store.createRun({ kind: 'train' });
    const e = await saveCheckpoint(store, dir, {
      runId,
      agent: 'rl-long-0',
      algo: 'ppo',
      model: pair.long!,
      seed: 2,
      dataStart: 0,
      dataEnd: 1,
      configSha256: 'c',
      parentId: null,
      promoted: true,
    }).catch((x: unknown) => x as Error & { hint?: string });
    expect(isAppError(e, 'STORE')).toBe(true);
    expect((e as Error).message).toContain(`${file} already exists`);
    expect(readFileSync(file)).toEqual(bytes);
    expect(store.listCheckpoints()).toEqual([]);
    store.close();
  });

  it('refuses a damaged, truncated or foreign store on open with the recovery steps', async () => {
    const { dir } = await runDirWithCheckpoint();
    const path = join(dir, STORE_FILE);
    const pristine = readFileSync(path);
    const check = (what: RegExp) => {
      for (const f of ['-wal', '-shm']) rmSync(path + f, { force: true });
      const e = thrown(() => RunStore.open(dir));
      expect(isAppError(e, 'STORE_CORRUPT')).toBe(true);
      expect(e.message).toMatch(what);
      expect(e.hint).toContain('new --run-dir');
      writeFileSync(path, pristine);
    };
    // Garbage in the middle of the file: over a table's page (SQLite throws), over an
    // index's page (quick_check lists the damage).
    const raw = new Database(path, { readonly: true });
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const root = (name: string) =>
      (raw.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(name) as { rootpage: number })
        .rootpage;
    const pages = [root('checkpoints'), root('orders_status')];
    raw.close();
    for (const page of pages) {
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
      closeSync(fd);
      check(page === pages[0] ? /malformed/ : /is damaged \(quick_check: Tree \d+ page \d+/);
    }
    truncateSync(path, Math.floor(pristine.length / 3));
    check(/malformed|damaged/);
    writeFileSync(path, 'symbol,date,close\nAA,1998-01-02,1\n');
    check(/is not a usable marlts run store \(file is not a database\)/);
    RunStore.open(dir).close();
  });

  it('backs up an older store before migrating it and names the backup when it breaks later', async () => {
    const { dir } = await runDirWithCheckpoint();
    downgradeToV1(dir);
    const store = RunStore.open(dir);
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(store.backupPath).toBe(join(dir, `${STORE_FILE}.bak-v1`));
    store.close();
    const backup = new Database(store.backupPath!, { readonly: true });
    expect(backup.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: 1 });
    expect((backup.prepare('SELECT path FROM checkpoints').get() as { path: string }).path).toBe(
      join(dir, 'checkpoints', 'rl-long-0-v1.json'),
    );
    backup.close();
    // Opening again migrates nothing and writes no second backup.
    const again = RunStore.open(dir);
    expect(again.backupPath).toBeUndefined();
    again.close();
    writeFileSync(join(dir, STORE_FILE), 'not sqlite');
    expect(thrown(() => RunStore.open(dir)).hint).toContain(`${STORE_FILE}.bak-v1`);
  });

  it('keeps checkpoint paths relative to the run dir, so a moved or copied run dir reads its own files', async () => {
    const { dir } = await runDirWithCheckpoint();
    downgradeToV1(dir); // absolute paths, as marlts stored them before
    const moved = `${dir}-moved`;
    renameSync(dir, moved);
    const store = RunStore.open(moved);
    const [row] = store.listCheckpoints('rl-long-0');
    expect(row!.path).toBe(join(moved, 'checkpoints', 'rl-long-0-v1.json'));
    expect(store.db.prepare('SELECT path FROM checkpoints').get()).toEqual({
      path: 'checkpoints/rl-long-0-v1.json',
    });
    (await loadCheckpoint(row!)).dispose();
    store.close();
    const copy = `${dir}-copy`;
    cpSync(moved, copy, { recursive: true });
    rmSync(join(moved, 'checkpoints'), { recursive: true });
    const copied = RunStore.open(copy);
    const [c] = copied.listCheckpoints('rl-long-0');
    expect(c!.path).toBe(join(copy, 'checkpoints', 'rl-long-0-v1.json'));
    (await loadCheckpoint(c!)).dispose();
    copied.close();
  });
});
