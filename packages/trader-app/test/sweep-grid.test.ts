import { describe, expect, it } from 'vitest';
import { isAppError } from '../src/app-error.js';
import { sha256, stableJson } from '../src/store.js';
import { configBlob, dataBlob, readConfigBlob, readDataBlob } from '../src/sweep/blobs.js';
import { expandGrid } from '../src/sweep/grid.js';
import { sweepJob, sweepJobId } from '../src/sweep/job.js';
import { sp500Frame, tinyConfig } from './sweep-fixtures.js';

function gridError(grid: unknown): { message: string; field: string | undefined; code: string } {
  try {
    expandGrid(grid, tinyConfig(), '/x/grid.json');
  } catch (e) {
    if (isAppError(e)) return { message: e.message, field: e.field, code: e.code };
    throw e;
  }
  throw new Error('expected a grid error');
}

describe('sweep grid', () => {
  it('expands the cartesian product of the axes over the base, last axis fastest', () => {
    const grid = expandGrid(
      {
        base: { train: { ppo: { nEpochs: 2 } } },
        axes: { 'train.ppo.learningRate': [0.0003, 0.001], 'env.windowBars': [20, 30, 40] },
        seeds: 2,
        validationFolds: 2,
        testFolds: 1,
      },
      tinyConfig(),
      'grid.json',
    );
    expect(grid.configs).toHaveLength(6);
    expect(grid.configs.map((c) => [c.config.train.ppo.learningRate, c.config.env.windowBars])).toEqual([
      [0.0003, 20],
      [0.0003, 30],
      [0.0003, 40],
      [0.001, 20],
      [0.001, 30],
      [0.001, 40],
    ]);
    expect(grid.configs[4]!.axes).toEqual({ 'train.ppo.learningRate': 0.001, 'env.windowBars': 30 });
    for (const c of grid.configs) {
      expect(c.config.train.ppo.nEpochs).toBe(2);
      expect(c.config.backtest.maxFolds).toBe(3);
      expect(c.config.backtest.seeds).toBe(2);
    }
    expect(grid.seeds).toEqual([1, 1001]);
  });

  it('refuses a bad path, a bad value, an axis that moves the folds and a repeated value, naming file, axis and value', () => {
    const unknown = gridError({ axes: { 'train.ppo.learningRat': [0.001] } });
    expect(unknown.code).toBe('CONFIG');
    expect(unknown.message).toContain('/x/grid.json');
    expect(unknown.message).toContain('"train.ppo.learningRat"');
    expect(unknown.message).toContain('0.001');
    expect(unknown.message).toMatch(/unknown field/);
    expect(unknown.field).toBe('train.ppo.learningRat');

    const value = gridError({ axes: { 'train.ppo.learningRate': [0.001, -1] } });
    expect(value.message).toMatch(
      /grid \/x\/grid\.json: axis "train\.ppo\.learningRate" value -1: invalid field/,
    );

    const type = gridError({ axes: { 'env.observation': ['pixels'] } });
    expect(type.message).toContain('axis "env.observation" value "pixels"');

    const folds = gridError({ axes: { 'backtest.trainBars': [100, 200] } });
    expect(folds.message).toMatch(/axis "backtest\.trainBars" cannot vary/);

    const twice = gridError({ axes: { 'env.windowBars': [20, 20] } });
    expect(twice.message).toMatch(/lists the value 20 twice/);

    expect(gridError({ axes: { 'env.windowBars': [] } }).message).toMatch(
      /grid \/x\/grid\.json: "axes\.env\.windowBars"/,
    );
    expect(gridError({ axes: {}, extra: 1 }).message).toMatch(/extra/);
    expect(gridError({ base: { runDir: 'elsewhere' }, axes: {} }).field).toBe('base.runDir');
  });

  it('names jobs by content: stable, independent of the label and of machine-local paths, changed by config, data or seed', () => {
    const frame = sp500Frame();
    const data = dataBlob(frame);
    const a = sweepJob({ config: tinyConfig(), dataHash: data.hash, seed: 1, label: 'config 1/2 seed 1/1' });
    const again = sweepJob({
      config: { ...tinyConfig(), runDir: '/elsewhere', log: { ...tinyConfig().log, file: '/tmp/x.log' } },
      dataHash: data.hash,
      seed: 1,
      label: 'another label',
    });
    expect(again.spec.id).toBe(a.spec.id);
    expect(a.spec.id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.spec.id).toBe(
      sha256(stableJson({ configHash: a.spec.configHash, dataHash: data.hash, seed: 1, design: 2 })),
    );
    expect(a.spec.configHash).toBe(sha256(a.blob.bytes));
    expect(sweepJobId(a.spec)).toBe(a.spec.id);
    const otherSeed = sweepJob({ config: tinyConfig(), dataHash: data.hash, seed: 2, label: '' });
    const otherConfig = sweepJob({
      config: tinyConfig({ env: { windowBars: 20 } }),
      dataHash: data.hash,
      seed: 1,
      label: '',
    });
    const otherData = sweepJob({ config: tinyConfig(), dataHash: sha256('other'), seed: 1, label: '' });
    expect(new Set([a.spec.id, otherSeed.spec.id, otherConfig.spec.id, otherData.spec.id]).size).toBe(4);
  });

  it('blobs read back to the same config and the same bars, bit for bit', () => {
    const frame = sp500Frame();
    const back = readDataBlob(dataBlob(frame).bytes);
    expect(back.symbols).toEqual(frame.symbols);
    for (const k of ['times', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(Buffer.from(back[k].buffer).equals(Buffer.from(frame[k].buffer))).toBe(true);
    }
    expect(dataBlob(back).hash).toBe(dataBlob(frame).hash);
    const config = tinyConfig({ train: { ppo: { learningRate: 0.00123 } } });
    const read = readConfigBlob(configBlob(config).bytes);
    expect(read.train).toEqual(config.train);
    expect(read.runDir).toBe('marlts-run');
  });
});
