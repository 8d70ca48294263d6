import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/grad-check.js';
import { initBackend, tf } from '../index.js';
import { stopGradient } from './stop-gradient.js';

describe.each(BACKENDS)('stopGradient on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('passes the value and blocks the gradient, no leak', () => {
    const before = tf.memory().numTensors;
    const [value, grad] = tf.tidy(() => {
      const x = tf.tensor1d([3, -2]);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
      return [Array.from(stopGradient(x).dataSync()), Array.from(g.dataSync())];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(value).toEqual([3, -2]);
    expect(grad).toEqual([3, -2]); // d/dv (v · const) = const, not 2v
  });
});
