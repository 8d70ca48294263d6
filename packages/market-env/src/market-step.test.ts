import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesDir, vectorsDir } from '../test/paths.js';
import {
  belowMaintenance,
  impactFactor,
  liquidate,
  type MarketStepInputs,
  marketStep,
} from './market-step.js';

interface VectorCase {
  name: string;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
}

// A file is a market-step file when its cases carry the inputs of architecture.md's step.
function isMarketStepCase(c: unknown): c is VectorCase {
  const x = c as VectorCase;
  const i = x?.inputs as Record<string, unknown> | undefined;
  return (
    typeof x?.name === 'string' &&
    i !== undefined &&
    ['price_t', 'price_t1', 'cash', 'shares', 'weights', 'impact_coeff', 'liquidity'].every((k) => k in i) &&
    typeof x.expected === 'object'
  );
}

// Every market-step case of every *.json in `dir`; files of other kinds are skipped. Any
// number of cases ≥ 1 is a valid folder; a missing folder or one without a case throws.
function loadCases(dir: string): { file: string; c: VectorCase }[] {
  const out: { file: string; c: VectorCase }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cases?: unknown[] };
    if (!Array.isArray(json.cases) || !json.cases.every(isMarketStepCase)) continue;
    for (const c of json.cases as VectorCase[]) out.push({ file, c });
  }
  if (out.length === 0) throw new Error(`${dir} holds no market_step case (a *.json file with "cases")`);
  return out;
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());

function close(actual: number, expected: number, path: string, scale: number): void {
  // 1e-9 relative; values that should be ~0 (cash after going all in) are compared
  // relative to the magnitude of the case (the agent's value).
  const tol = 1e-9 * Math.max(Math.abs(expected), scale * 1e-6, 1e-12);
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(
      `${path}: got ${actual}, expected ${expected} (|diff| ${Math.abs(actual - expected)} > ${tol})`,
    );
  }
}

function compare(actual: unknown, expected: unknown, path: string, scale: number): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    for (const [i, e] of expected.entries()) compare((actual as unknown[])[i], e, `${path}[${i}]`, scale);
  } else {
    close(actual as number, expected as number, path, scale);
  }
}

let cases: { file: string; c: VectorCase }[] = [];
let loadError: unknown;
try {
  cases = loadCases(vectorsDir);
} catch (e) {
  loadError = e;
}

describe(`market_step vectors in ${vectorsDir} (MARLTS_VECTORS_DIR overrides)`, () => {
  it('finds at least one market_step case', () => {
    expect(loadError).toBeUndefined();
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(({ file, c }) => [`${file}: ${c.name}`, c] as const))('%s', (_, c) => {
    const i = c.inputs as Record<string, never>;
    const inputs: MarketStepInputs = {
      priceT: i.price_t,
      priceT1: i.price_t1,
      cash: i.cash,
      shares: i.shares,
      weights: i.weights,
      impactCoeff: i.impact_coeff,
      liquidity: i.liquidity,
      maxImpact: i.max_impact,
      feeRate: i.fee_rate,
      coopWeight: i.coop_weight,
      compWeight: i.comp_weight,
    };
    const result = marketStep(inputs) as unknown as Record<string, unknown>;
    const scale = Math.max(...(result.valueBefore as number[]).map(Math.abs));
    let checked = 0;
    for (const [key, expected] of Object.entries(c.expected)) {
      const name = camel(key);
      expect(result, `unknown expected field ${key}`).toHaveProperty(name);
      compare(result[name], expected, `${c.name}.${key}`, scale);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });
});

describe('the vectors folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'market-env-vectors-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // The committed file, whatever MARLTS_VECTORS_DIR says.
  const committed = join(fixturesDir, 'vectors', 'market_step.json');
  const seed = JSON.parse(readFileSync(committed, 'utf8')) as { cases: unknown[] };

  it('accepts a folder with a single case, and skips files of other kinds', () => {
    const dir = join(root, 'one');
    mkdirSync(dir);
    writeFileSync(join(dir, 'my_step.json'), JSON.stringify({ cases: [seed.cases[1]] }));
    writeFileSync(join(dir, 'gae.json'), JSON.stringify({ cases: [{ name: 'g', gae_lambda: 0.95 }] }));
    expect(loadCases(dir).map(({ file, c }) => `${file}: ${c.name}`)).toEqual([
      `my_step.json: ${(seed.cases[1] as VectorCase).name}`,
    ]);
  });

  it('rejects a missing folder and a folder without a market_step case', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'gae.json'), JSON.stringify({ cases: [{ name: 'g', gae_lambda: 0.95 }] }));
    expect(() => loadCases(join(root, 'missing'))).toThrow(/ENOENT/);
    expect(() => loadCases(empty)).toThrow(/holds no market_step case/);
  });
});

describe('impactFactor', () => {
  it('is linear in the net notional until the cap, and symmetric', () => {
    expect(impactFactor(0, 1e6, 1, 0.05)).toBe(1);
    expect(impactFactor(10_000, 999_999, 1, 0.05)).toBeCloseTo(1.01, 12);
    expect(impactFactor(-10_000, 999_999, 1, 0.05)).toBeCloseTo(0.99, 12);
    expect(impactFactor(1e9, 1e6, 1, 0.05)).toBe(1.05);
    expect(impactFactor(-1e9, 1e6, 1, 0.05)).toBe(0.95);
  });

  it('square-root model grows with √notional', () => {
    const a = impactFactor(10_000, 999_999, 0.1, 0.5, 'sqrt') - 1;
    const b = impactFactor(40_000, 999_999, 0.1, 0.5, 'sqrt') - 1;
    expect(b / a).toBeCloseTo(2, 10);
    expect(impactFactor(-40_000, 999_999, 0.1, 0.5, 'sqrt') - 1).toBeCloseTo(-b, 12);
  });
});

describe('liquidate', () => {
  it('sells every position of one agent alone, with its own impact and fees, and adds the costs', () => {
    const params = {
      impactModel: 'linear' as const,
      impactCoeff: 1,
      maxImpact: 0.05,
      liquidity: [999, 1e6],
      feeRate: 0.001,
    };
    const cash = Float64Array.of(5_000, -1_000);
    // Agent 1 is long 10 of asset 0 and short 4 of asset 1; agent 0 is not touched.
    const shares = Float64Array.of(3, 0, 10, -4);
    const costs = {
      fees: Float64Array.of(0, 1),
      impactCost: Float64Array.of(0, 2),
      tradedNotional: Float64Array.of(0, 3),
    };
    const value = liquidate(1, 2, [0, 0, 100, 50], 2, cash, shares, params, costs);
    // Selling 10 at 100: net −1000 on liquidity 999 → factor 1 − 1 clamped to 0.95; buying 4 at 50: 1 + 200/1e6.
    const sellPx = 95;
    const buyPx = 50 * (1 + 200 / 1_000_001);
    const fees = 10 * sellPx * 0.001 + 4 * buyPx * 0.001;
    expect(value).toBeCloseTo(-1_000 + 10 * sellPx - 4 * buyPx - fees, 9);
    expect(Array.from(cash)).toEqual([5_000, value]);
    expect(Array.from(shares)).toEqual([3, 0, 0, 0]);
    expect(costs.fees[1]).toBeCloseTo(1 + fees, 12);
    expect(costs.impactCost[1]).toBeCloseTo(2 + 10 * 5 + 4 * (buyPx - 50), 9);
    expect(costs.tradedNotional[1]).toBeCloseTo(3 + 10 * sellPx + 4 * buyPx, 9);
    expect([costs.fees[0], costs.impactCost[0], costs.tradedNotional[0]]).toEqual([0, 0, 0]);
  });

  it('is due when the value is gone or below the maintenance share of gross exposure', () => {
    expect(belowMaintenance(0, 0, 0.25)).toBe(true);
    expect(belowMaintenance(24_999, 100_000, 0.25)).toBe(true);
    expect(belowMaintenance(25_000, 100_000, 0.25)).toBe(false);
    expect(belowMaintenance(1, 0, 0.25)).toBe(false);
  });
});
