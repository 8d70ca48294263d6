import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/grad-check.js';
import { initBackend } from '../backend.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { Rng } from '../random.js';
import { mlpApplyT } from '../testing/mlp-t.js';
import { expectClose } from '../testing.js';
import { KernelMlp } from './kernel-mlp.js';
import { initMlpParams, type MlpSpec, mlpParamCount } from './mlp.js';

const k = wasmKernels();

// The reference is tfjs autodiff of mlpApplyT; the kernels do not use tfjs, so running on
// both backends checks them against two independent implementations.
describe.each(BACKENDS)('KernelMlp against tfjs autodiff on %s', (backend) => {
  // [3, 40, 70, 2] takes every kernel path: narrow input (dx by dot products), 4x8 tiles
  // with leftover rows and columns (batch 45, width 70), and a narrow head.
  it.each(['relu', 'tanh'] as const)('forward, ∂params and ∂input (%s)', async (act) => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const allocated = k.allocatedBytes;
    const rng = new Rng(11);
    const spec: MlpSpec = { sizes: [3, 40, 70, 2], activation: act };
    const batch = 45;
    const n = mlpParamCount(spec.sizes);
    const host = initMlpParams(spec, rng, { outputGain: 1 });
    for (let i = 0; i < n; i++) host[i] = host[i]! + 0.05 * rng.normal();
    const xHost = rng.fillNormal(new Float32Array(batch * 3)) as Float32Array;
    const dOutHost = rng.fillNormal(new Float32Array(batch * 2)) as Float32Array;

    const net = new KernelMlp(spec, 64);
    const params = k.alloc(n);
    const x = k.alloc(batch * 3);
    const dOut = k.alloc(batch * 2);
    const grad = k.alloc(n);
    const dx = k.alloc(batch * 3);
    k.view(params).set(host);
    k.view(x).set(xHost);
    k.view(dOut).set(dOutHost);
    const outPtr = net.forward(params.ptr, x.ptr, batch);
    const out = k.view({ ptr: outPtr, length: batch * 2 }).slice();
    k.view(dx).fill(1);
    net.backward(params.ptr, dOut.ptr, { grad: grad.ptr, dx: dx.ptr, accumulateDx: true });
    const g = k.view(grad).slice();
    const gx = k.view(dx).slice();

    const ref = tf.tidy(() => {
      const p = tf.tensor1d(host);
      const xt = tf.tensor2d(xHost, [batch, 3]);
      const r = tf.tensor2d(dOutHost, [batch, 2]);
      const f = (q: tf.Tensor, xx: tf.Tensor) =>
        tf.sum(tf.mul(mlpApplyT(spec, q as tf.Tensor1D, xx as tf.Tensor2D), r));
      const [gp, gxx] = tf.grads(f)([p, xt]);
      return {
        y: mlpApplyT(spec, p, xt).dataSync().slice() as Float32Array,
        gp: gp!.dataSync().slice() as Float32Array,
        gx: gxx!.dataSync().slice() as Float32Array,
      };
    });
    expectClose(out, ref.y, { rtol: 1e-5, atol: 1e-5, label: 'forward' });
    expectClose(g, ref.gp, { rtol: 1e-4, atol: 1e-5, label: '∂params' });
    // accumulateDx: the kernel added ∂input to the ones already there.
    expectClose(
      gx.map((v) => v - 1),
      ref.gx,
      { rtol: 1e-4, atol: 1e-5, label: '∂input' },
    );

    // Without a grad address only ∂input is computed; without dx only ∂params.
    k.view(grad).fill(7);
    net.backward(params.ptr, dOut.ptr, { grad: 0, dx: dx.ptr });
    expect(k.view(grad).every((v) => v === 7)).toBe(true);
    expectClose(k.view(dx).slice(), ref.gx, { rtol: 1e-4, atol: 1e-5, label: '∂input only' });

    // dxFrom: only the input columns from 2 on (a critic's action part) are written.
    k.view(dx).fill(5);
    net.backward(params.ptr, dOut.ptr, { grad: 0, dx: dx.ptr, dxFrom: 2 });
    const part = k.view(dx).slice();
    for (let i = 0; i < batch; i++) {
      expect([part[i * 3], part[i * 3 + 1]]).toEqual([5, 5]);
      expect(part[i * 3 + 2]).toBeCloseTo(ref.gx[i * 3 + 2]!, 4);
    }

    net.dispose();
    net.dispose();
    for (const b of [params, x, dOut, grad, dx]) k.free(b);
    expect(k.allocatedBytes).toBe(allocated);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gatherRows: a backward pass over some rows equals the full one with zero gradient elsewhere', () => {
    const rng = new Rng(4);
    const spec: MlpSpec = { sizes: [4, 24, 16, 1], activation: 'relu' };
    const batch = 10;
    const n = mlpParamCount(spec.sizes);
    const full = new KernelMlp(spec, batch);
    const part = new KernelMlp(spec, batch);
    const params = k.alloc(n);
    k.view(params).set(initMlpParams(spec, rng, { outputGain: 1 }));
    const x = k.alloc(batch * 4);
    k.view(x).set(rng.fillNormal(new Float32Array(batch * 4)));
    const rows = Int32Array.of(7, 0, 3, 9);
    const dFull = k.alloc(batch);
    const dPart = k.alloc(rows.length);
    rows.forEach((r, i) => {
      k.view(dFull)[r] = i + 1;
      k.view(dPart)[i] = i + 1;
    });
    const [gFull, gPart] = [k.alloc(n), k.alloc(n)];
    const [xFull, xPart] = [k.alloc(batch * 4), k.alloc(rows.length * 4)];
    full.forward(params.ptr, x.ptr, batch);
    full.backward(params.ptr, dFull.ptr, { grad: gFull.ptr, dx: xFull.ptr, dxFrom: 1 });
    part.gatherRows(full, rows, rows.length);
    part.backward(params.ptr, dPart.ptr, { grad: gPart.ptr, dx: xPart.ptr, dxFrom: 1 });
    expectClose(k.view(gPart).slice(), k.view(gFull).slice(), { rtol: 1e-5, atol: 1e-6, label: '∂params' });
    rows.forEach((r, i) => {
      expect(Array.from(k.view(xPart).subarray(i * 4 + 1, i * 4 + 4))).toEqual(
        Array.from(k.view(xFull).subarray(r * 4 + 1, r * 4 + 4)),
      );
    });
    for (const b of [params, x, dFull, dPart, gFull, gPart, xFull, xPart]) k.free(b);
    full.dispose();
    part.dispose();
  });

  it('rejects a batch above its capacity and backward before forward', () => {
    const net = new KernelMlp({ sizes: [2, 8, 1], activation: 'relu' }, 4);
    expect(() => net.backward(0, 0, { grad: 0, dx: 0 })).toThrow(/forward first/);
    expect(() => net.forward(0, 0, 5)).toThrow(/batch 5 is outside 1…4/);
    net.dispose();
    expect(() => net.forward(0, 0, 1)).toThrow(/disposed/);
  });
});
