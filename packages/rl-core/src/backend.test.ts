import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import { isRlError } from './errors.js';
import { tf } from './index.js';

describe.each(['cpu', 'wasm'] as const)('initBackend(%s)', (backend) => {
  it('activates the backend and computes gradients with no leak', async () => {
    expect(await initBackend({ backend })).toBe(backend);
    const before = tf.memory().numTensors;
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => x.tanh().square().sum())(tf.tensor1d([0.5, -1, 2]))
        .arraySync(),
    ) as number[];
    const expected = [0.5, -1, 2].map((x) => 2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2));
    for (const [i, v] of g.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('initBackend errors', () => {
  it('names the field of a bad option', async () => {
    await expect(initBackend({ backend: 'gpu' as never })).rejects.toSatisfy(
      (e: unknown) => isRlError(e, 'CONFIG') && (e as Error).message.includes('backend'),
    );
  });

  it('says how to install tfjs-node when the tensorflow backend is missing', async () => {
    await expect(initBackend('tensorflow')).rejects.toSatisfy(
      (e: unknown) =>
        isRlError(e, 'BACKEND') && /npm install @tensorflow\/tfjs-node/.test((e as Error).message),
    );
  });
});
