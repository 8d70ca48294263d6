import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorsDir } from '../test/paths.js';
import { impactFactor, type MarketStepInputs, marketStep } from './market-step.js';

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

function loadCases(): { file: string; c: VectorCase }[] {
  const out: { file: string; c: VectorCase }[] = [];
  for (const file of readdirSync(vectorsDir).filter((f) => f.endsWith('.json'))) {
    const json = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8')) as { cases?: unknown[] };
    if (!Array.isArray(json.cases) || !json.cases.every(isMarketStepCase)) continue;
    for (const c of json.cases as VectorCase[]) out.push({ file, c });
  }
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

const cases = loadCases();

describe('market_step vectors (every file in MARLTS_VECTORS_DIR market-env understands)', () => {
  it('finds the market_step cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(cases.some(({ c }) => c.name === 'seed_worked_example')).toBe(true);
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
