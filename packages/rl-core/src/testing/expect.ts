/**
 * Assertions for tests of code built on rl-core: no tensor leaks, element-wise closeness.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and throws if it leaves more tensors alive than it started with.
 * @example
 * await expectNoTensorLeak(() => model.predict(obs));
 */
export async function expectNoTensorLeak<T>(fn: () => T | Promise<T>, allowed = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after - before > allowed) {
    throw new Error(`tensor leak: ${after - before} tensors created and not disposed (allowed ${allowed})`);
  }
  return result;
}

/**
 * Throws unless `actual` and `expected` agree element-wise within `|a−e| <= atol + rtol·|e|`.
 * @example
 * expectClose(new Float32Array([1.00001]), [1], { rtol: 1e-5 });
 */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  { rtol = 1e-5, atol = 1e-5, label = 'value' }: { rtol?: number; atol?: number; label?: string } = {},
): void {
  const a = typeof actual === 'number' ? [actual] : actual;
  const e = typeof expected === 'number' ? [expected] : expected;
  if (a.length !== e.length) throw new Error(`${label}: length ${a.length} != expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - e[i]!);
    if (!(diff <= atol + rtol * Math.abs(e[i]!))) {
      throw new Error(
        `${label}[${i}]: ${a[i]} != expected ${e[i]} (|diff| ${diff}, rtol ${rtol}, atol ${atol})`,
      );
    }
  }
}
