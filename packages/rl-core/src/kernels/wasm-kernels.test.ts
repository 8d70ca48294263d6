import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import { Heap } from './heap.js';
import { KERNELS_SOURCE_SHA256, KERNELS_WASM_BASE64 } from './kernels-binary.js';
import { withUnsharedMemory } from './unshared-memory.js';
import { GEMM_ACC, GEMM_RELU, type KernelBlock, WasmKernels, wasmKernels } from './wasm-kernels.js';
import { wasmApi } from './webassembly.js';

const k = wasmKernels();
const rng = new Rng(3);

function filled(n: number): KernelBlock {
  const b = k.alloc(n);
  k.view(b).set(rng.fillNormal(new Float32Array(n)));
  return b;
}

/** Reference `A(i,p)·B(p,j)` in float64 with the kernel's epilogue. */
function reference(
  m: number,
  n: number,
  kk: number,
  a: Float32Array,
  sai: number,
  sap: number,
  b: Float32Array,
  c0: Float32Array,
  bias: Float32Array | null,
  flags: number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < kk; p++) s += a[i * sai + p * sap]! * b[p * n + j]!;
      if (flags & GEMM_ACC) s += c0[i * n + j]!;
      if (bias) s += bias[j]!;
      if (flags & GEMM_RELU) s = Math.max(s, 0);
      out[i * n + j] = s;
    }
  return out;
}

function expectNear(got: Float32Array, want: ArrayLike<number>, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!));
    if (!(err <= worst)) worst = err;
  }
  expect(worst).toBeLessThan(tol);
}

afterAll(() => {
  k.setThreads(1);
});

describe('kernels module', () => {
  it('was built from the kernels.c in the tree (run `pnpm build:kernels` after editing it)', () => {
    const src = readFileSync(new URL('./kernels.c', import.meta.url));
    expect(createHash('sha256').update(src).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
  });
});

describe('kernel builds', () => {
  it('picks relaxed SIMD exactly when the runtime validates it', () => {
    const major = Number(process.versions.node.split('.')[0]);
    // V8 shipped relaxed SIMD in 11.4 (Node 21); Node 20 (V8 11.3) has it only behind a flag.
    expect(k.variant).toBe(major >= 21 ? 'relaxed-simd' : 'simd');
    expect(new WasmKernels({ variant: 'simd' }).variant).toBe('simd');
  });

  // Node 20 has relaxed SIMD behind a flag: a child process with it checks the fused build's
  // products (4x8 tiles, leftover rows and columns, both A layouts, dot products) against
  // float64 and against the baseline build, whatever Node runs the tests.
  it('the relaxed-SIMD build computes the same products as the baseline build', () => {
    const major = Number(process.versions.node.split('.')[0]);
    const script = `
      import { readFileSync } from 'node:fs';
      const src = readFileSync(${JSON.stringify(new URL('./kernels-binary.ts', import.meta.url).pathname)}, 'utf8');
      const b64 = (name) => [...src.split('export const ' + name + ' =')[1].split(';')[0].matchAll(/'([^']*)'/g)].map((m) => m[1]).join('');
      const memory = new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });
      const make = (name) => new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64(name), 'base64')), { env: { memory } }).exports;
      const relaxed = make('KERNELS_RELAXED_WASM_BASE64');
      const simd = make('KERNELS_WASM_BASE64');
      const f = new Float32Array(memory.buffer);
      let seed = 1;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
      let worst = 0, worstBase = 0, n = 0;
      for (const [m, nn, kk] of [[37, 70, 53], [256, 256, 64], [5, 3, 90]]) {
        const A = 4096, B = A + m * kk * 4 + 64, C1 = B + kk * nn * 4 + 64, C2 = C1 + m * nn * 4 + 64;
        for (let i = 0; i < m * kk; i++) f[A / 4 + i] = rnd();
        for (let i = 0; i < kk * nn; i++) f[B / 4 + i] = rnd();
        for (const [sai, sap] of [[kk, 1], [1, m]]) {
          relaxed.gemm(m, nn, kk, A, sai, sap, B, nn, C1, nn, 0, 0);
          simd.gemm(m, nn, kk, A, sai, sap, B, nn, C2, nn, 0, 0);
          for (let i = 0; i < m; i++) for (let j = 0; j < nn; j++) {
            let ref = 0;
            for (let p = 0; p < kk; p++) ref += f[A / 4 + i * sai + p * sap] * f[B / 4 + p * nn + j];
            const r = f[C1 / 4 + i * nn + j], s = f[C2 / 4 + i * nn + j];
            worst = Math.max(worst, Math.abs(r - ref) / (1 + Math.abs(ref)));
            worstBase = Math.max(worstBase, Math.abs(r - s) / (1 + Math.abs(ref)));
            n++;
          }
        }
        relaxed.gemm_nt(m, 3, kk, A, kk, B, kk, C1, 3, 0, 0);
        simd.gemm_nt(m, 3, kk, A, kk, B, kk, C2, 3, 0, 0);
        for (let i = 0; i < m * 3; i++) worstBase = Math.max(worstBase, Math.abs(f[C1 / 4 + i] - f[C2 / 4 + i]));
      }
      console.log(JSON.stringify({ worst, worstBase, n }));`;
    const flags = major === 20 ? ['--experimental-wasm-relaxed-simd'] : [];
    const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim()) as { worst: number; worstBase: number; n: number };
    expect(r.n).toBeGreaterThan(70_000);
    expect(r.worst).toBeLessThan(1e-5);
    expect(r.worstBase).toBeLessThan(1e-5);
  });
});

describe('gemm', () => {
  // Shapes cover full 4x8 tiles, leftover rows (m % 4), the 1x32 row path, leftover columns
  // (n % 8), narrow heads (n = 1, 2) and k = 1.
  const shapes: Array<[number, number, number]> = [
    [8, 16, 5],
    [7, 40, 3],
    [1, 64, 256],
    [3, 13, 9],
    [256, 1, 64],
    [6, 2, 70],
    [5, 8, 1],
  ];
  for (const [m, n, kk] of shapes) {
    for (const layout of ['A', 'At'] as const) {
      for (const flags of [0, GEMM_ACC | GEMM_RELU]) {
        it(`[${m}x${kk}]·[${kk}x${n}] ${layout === 'A' ? 'A' : 'Aᵀ'} flags ${flags}`, () => {
          const a = filled(m * kk);
          const b = filled(kk * n);
          const c = filled(m * n);
          const bias = filled(n);
          const c0 = k.view(c).slice();
          const [sai, sap] = layout === 'A' ? [kk, 1] : [1, m];
          k.gemm(m, n, kk, a.ptr, sai, sap, b.ptr, n, c.ptr, n, bias.ptr, flags);
          const want = reference(m, n, kk, k.view(a), sai, sap, k.view(b), c0, k.view(bias), flags);
          expectNear(k.view(c), want);
          for (const x of [a, b, c, bias]) k.free(x);
        });
      }
    }
  }

  it('gemmNt equals A·Bᵀ', () => {
    const [m, n, kk] = [9, 3, 37];
    const a = filled(m * kk);
    const b = filled(n * kk);
    const c = k.alloc(m * n);
    const bias = filled(n);
    k.raw.gemm_nt(m, n, kk, a.ptr, kk, b.ptr, kk, c.ptr, n, bias.ptr, 0);
    const bt = new Float32Array(kk * n);
    const bv = k.view(b);
    for (let j = 0; j < n; j++) for (let p = 0; p < kk; p++) bt[p * n + j] = bv[j * kk + p]!;
    expectNear(
      k.view(c),
      reference(m, n, kk, k.view(a), kk, 1, bt, new Float32Array(m * n), k.view(bias), 0),
    );
    for (const x of [a, b, c, bias]) k.free(x);
  });

  it('starts workers for all cores (at most 8) at the first product worth sharing, not before', () => {
    const fresh = new WasmKernels();
    const a = fresh.alloc(256 * 64);
    const b = fresh.alloc(64 * 256);
    const c = fresh.alloc(256 * 256);
    fresh.gemm(16, 256, 64, a.ptr, 64, 1, b.ptr, 256, c.ptr, 256);
    expect(fresh.threadCount).toBe(1);
    fresh.gemm(256, 256, 64, a.ptr, 64, 1, b.ptr, 256, c.ptr, 256);
    expect(fresh.threadCount).toBe(Math.min(8, availableParallelism()));
    // A chosen count is kept.
    fresh.setThreads(1);
    fresh.gemm(256, 256, 64, a.ptr, 64, 1, b.ptr, 256, c.ptr, 256);
    expect(fresh.threadCount).toBe(1);
  });

  it('gives bit-identical results on 1 and 2 threads (rows split across a worker)', () => {
    const [m, n, kk] = [256, 256, 64];
    const a = filled(m * kk);
    const b = filled(kk * n);
    const c1 = k.alloc(m * n);
    const c2 = k.alloc(m * n);
    k.setThreads(1);
    k.gemm(m, n, kk, a.ptr, kk, 1, b.ptr, n, c1.ptr, n, 0, GEMM_RELU);
    expect(k.setThreads(2)).toBe(2);
    k.gemm(m, n, kk, a.ptr, kk, 1, b.ptr, n, c2.ptr, n, 0, GEMM_RELU);
    k.gemm(m, n, kk, a.ptr, kk, 1, b.ptr, n, c2.ptr, n, 0, GEMM_RELU);
    k.setThreads(1);
    expect(Buffer.from(k.view(c2).buffer.slice(c2.ptr, c2.ptr + m * n * 4))).toEqual(
      Buffer.from(k.view(c1).buffer.slice(c1.ptr, c1.ptr + m * n * 4)),
    );
    for (const x of [a, b, c1, c2]) k.free(x);
  });
});

// A browser page that is not cross-origin isolated has no SharedArrayBuffer (and Firefox and
// Safari then refuse shared wasm memory): the kernels must run there on an unshared memory.
describe('without shared memory', () => {
  const memory = (shared: boolean) => new wasmApi.Memory({ initial: 1, maximum: 16384, shared });
  const instantiate = (bytes: Uint8Array, shared: boolean) =>
    new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory: memory(shared) } });

  it('withUnsharedMemory flips only the memory import to unshared', () => {
    const bytes = new Uint8Array(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    const unshared = withUnsharedMemory(bytes);
    expect(() => instantiate(bytes, false)).toThrow(/shared/);
    expect(() => instantiate(unshared, true)).toThrow(/shared/);
    expect(() => instantiate(unshared, false)).not.toThrow();
    expect(unshared.length).toBe(bytes.length);
    expect(unshared.filter((v, i) => v !== bytes[i]).length).toBe(1);
    expect(withUnsharedMemory(unshared)).toBe(unshared);
  });

  it('runs the same products and op lists bit for bit on one thread, across memory growth', () => {
    const plain = new WasmKernels({ sharedMemory: false });
    expect(plain.sharedMemory).toBe(false);
    expect(k.sharedMemory).toBe(true);
    expect(plain.memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect(plain.setThreads(4)).toBe(1);
    const [m, n, kk] = [256, 256, 64];
    const data = rng.fillNormal(new Float32Array(m * kk + kk * n + n));
    const results: Float32Array[] = [];
    for (const kern of [k, plain]) {
      const a = kern.alloc(m * kk);
      const b = kern.alloc(kk * n);
      const bias = kern.alloc(n);
      kern.view(a).set(data.subarray(0, m * kk));
      kern.view(b).set(data.subarray(m * kk, m * kk + kk * n));
      kern.view(bias).set(data.subarray(m * kk + kk * n));
      // 3 MiB more than the first 2 MiB: the unshared memory grows and its old buffer detaches.
      const c = kern.alloc(m * n * 12);
      kern.gemm(m, n, kk, a.ptr, kk, 1, b.ptr, n, c.ptr, n, bias.ptr, GEMM_RELU);
      kern.raw.transpose(m, n, c.ptr, c.ptr + m * n * 4);
      results.push(kern.view(c).slice(0, 2 * m * n));
      for (const x of [a, b, bias, c]) kern.free(x);
    }
    expect(plain.memory.buffer.byteLength).toBeGreaterThan(2 ** 21);
    const [want, got] = [new Uint32Array(results[0]!.buffer), new Uint32Array(results[1]!.buffer)];
    expect(got.findIndex((bits, i) => bits !== want[i])).toBe(-1);
    expect(want.some((bits) => bits !== 0)).toBe(true);
    expect(plain.allocatedBytes).toBe(0);
  });
});

describe('element-wise kernels', () => {
  it('transpose, colSum, reluBackward, tanhBackward, polyak, sumSq', () => {
    const x = filled(6 * 5);
    const y = k.alloc(30);
    k.raw.transpose(6, 5, x.ptr, y.ptr);
    const xv = k.view(x);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 5; c++) expect(k.view(y)[c * 6 + r]).toBe(xv[r * 5 + c]);
    const s = k.alloc(5);
    k.raw.col_sum(6, 5, x.ptr, s.ptr);
    for (let c = 0; c < 5; c++) {
      let want = 0;
      for (let r = 0; r < 6; r++) want += xv[r * 5 + c]!;
      expect(k.view(s)[c]).toBeCloseTo(want, 5);
    }
    const d = filled(30);
    const d0 = k.view(d).slice();
    k.raw.relu_backward(30, d.ptr, x.ptr);
    expect(Array.from(k.view(d))).toEqual(Array.from(d0, (v, i) => (xv[i]! > 0 ? v : 0)));
    k.view(d).set(d0);
    k.raw.tanh_backward(30, d.ptr, x.ptr);
    expectNear(
      k.view(d),
      Array.from(d0, (v, i) => v * (1 - xv[i]! ** 2)),
      1e-6,
    );
    const t = filled(30);
    const t0 = k.view(t).slice();
    k.raw.polyak(30, t.ptr, x.ptr, 0.005);
    expectNear(
      k.view(t),
      Array.from(t0, (v, i) => v * 0.995 + 0.005 * xv[i]!),
      1e-6,
    );
    expect(k.raw.sum_sq(30, x.ptr)).toBeCloseTo(
      xv.reduce((a, v) => a + v * v, 0),
      4,
    );
    k.view(x)[7] = Number.NaN;
    expect(k.raw.sum_sq(30, x.ptr)).toBeNaN();
    for (const b of [x, y, s, d, t]) k.free(b);
  });

  it('tanhForward is within 2 float32 ulp of Math.tanh and keeps ±0, ±∞ and NaN', () => {
    const xs = [0, -0, 1e-30, -1e-8, 0.3, 0.6249, 0.625, 0.6251, -1, 2.5, 8.99, 9, 9.01, -15, 40, 1e30];
    for (let i = 0; i < 2000; i++) xs.push((i - 1000) / 90);
    xs.push(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN);
    const b = k.alloc(xs.length);
    k.view(b).set(xs);
    k.raw.tanh_forward(xs.length, b.ptr);
    const got = k.view(b);
    for (let i = 0; i < xs.length; i++) {
      const want = Math.fround(Math.tanh(Math.fround(xs[i]!)));
      if (Number.isNaN(want)) expect(got[i]).toBeNaN();
      else if (want === 0) expect(Object.is(got[i], want), `tanh(${xs[i]})`).toBe(true);
      else
        expect(Math.abs(got[i]! - want), `tanh(${xs[i]})`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(want));
    }
    k.free(b);
  });

  it('adam equals torch’s update (the JS reference of flatAdamStep)', () => {
    const n = 11;
    const p = filled(n);
    const g = filled(n);
    const m = k.alloc(n);
    const v = k.alloc(n);
    const ref = { p: Float64Array.from(k.view(p)), m: new Float64Array(n), v: new Float64Array(n) };
    for (let step = 1; step <= 3; step++) {
      const [lr, b1, b2, eps] = [1e-3, 0.9, 0.999, 1e-8];
      const stepSize = lr / (1 - b1 ** step);
      const sqrtBc2 = Math.sqrt(1 - b2 ** step);
      k.raw.adam(n, p.ptr, g.ptr, m.ptr, v.ptr, stepSize, b1, b2, eps, sqrtBc2);
      const gv = k.view(g);
      for (let i = 0; i < n; i++) {
        ref.m[i] = b1 * ref.m[i]! + (1 - b1) * gv[i]!;
        ref.v[i] = b2 * ref.v[i]! + (1 - b2) * gv[i]! ** 2;
        ref.p[i] = ref.p[i]! - stepSize * (ref.m[i]! / (Math.sqrt(ref.v[i]!) / sqrtBc2 + eps));
      }
    }
    expectNear(k.view(p), ref.p, 1e-6);
    for (const b of [p, g, m, v]) k.free(b);
  });
});

describe('Heap', () => {
  it('reuses freed space, merges neighbours and grows the memory when full', () => {
    const memory = new wasmApi.Memory({ initial: 1, maximum: 64 });
    const heap = new Heap(memory, 100);
    const a = heap.alloc(1000);
    const b = heap.alloc(1000);
    expect(a % 64).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 1000);
    heap.release(a);
    heap.release(b);
    expect(heap.alloc(2000)).toBe(a);
    const big = heap.alloc(200_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 200_000);
    expect(() => heap.release(big + 64)).toThrow(/not an allocated block/);
    expect(heap.allocatedBytes).toBe(2048 + 200_000);
  });

  it('a fresh kernels instance starts with nothing allocated, and a full memory is a typed error', () => {
    const fresh = new WasmKernels();
    expect(fresh.allocatedBytes).toBe(0);
    expect(() => fresh.alloc(300 * 2 ** 20)).toThrow(
      expect.objectContaining({
        code: 'CONFIG',
        field: 'memory',
        message: expect.stringMatching(/dispose\(\) models/),
      }),
    );
    // Nothing was lost: the memory still serves what fits.
    const b = fresh.alloc(1024);
    expect(fresh.allocatedBytes).toBe(4096);
    fresh.free(b);
  });
});
