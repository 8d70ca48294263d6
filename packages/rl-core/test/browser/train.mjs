// The training both sides of the browser test run: the page (bundled for Chromium) and the
// Node reference, each passing rl-core as it loaded it and the backend options it needs.

/** Observations whose deterministic actions are compared. */
const PROBES = [
  [0, 0, 0, 0],
  [0.02, 0.1, -0.05, -0.2],
  [-0.03, -0.2, 0.04, 0.3],
];

/** Steps of PPO on CartPole (4 rollouts of 256). */
export const STEPS = 1024;

/**
 * PPO on CartPole for {@link STEPS} steps with a fixed seed, then everything that must agree
 * across runtimes: the trained state's digest (weights, Adam moments, normaliser, RNG and
 * counters; `createdAt` blanked), the last update's losses, actions, and a `tf.grad` through
 * a chained op on the active backend.
 *
 * @param {typeof import('@marlts/rl-core')} rl
 * @param {import('@marlts/rl-core').InitBackendOptions} backendOptions
 * @param {(ppo: import('@marlts/rl-core').Ppo) => Promise<object>} [extra] runtime-specific checks on the trained model
 */
export async function train(rl, backendOptions, extra = async () => ({})) {
  const { CartPole, Ppo, activeBackend, checkpointChecksum, initBackend, kernelVariant, tf } = rl;
  await initBackend(backendOptions);
  const tensorsBefore = tf.memory().numTensors;
  const ppo = new Ppo({ env: new CartPole(), seed: 7, nSteps: 256, batchSize: 64, nEpochs: 4 });
  const progress = await ppo.learn({ totalTimesteps: STEPS });
  const actions = PROBES.map((o) => Array.from(ppo.predict(new Float32Array(o), { deterministic: true })));
  const state = checkpointChecksum({ ...ppo.save(), createdAt: '' });
  const more = await extra(ppo);
  const timesteps = ppo.timesteps;
  ppo.dispose();
  const grad = tf.tidy(() =>
    Array.from(
      tf
        .grad((x) => x.square().sum())(tf.tensor1d([1, -2, 3]))
        .dataSync(),
    ),
  );
  return {
    backend: activeBackend(),
    variant: kernelVariant(),
    timesteps,
    train: progress.train,
    actions,
    state,
    grad,
    leakedTensors: tf.memory().numTensors - tensorsBefore,
    ...more,
  };
}
