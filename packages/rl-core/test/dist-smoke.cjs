// CJS half of the dist smoke test: require() of the built package under plain node.
const assert = require('node:assert/strict');
const { CartPole, initBackend, Ppo, tf } = require('@marlts/rl-core');
const { checkThreads } = require('./dist-smoke-threads.cjs');
const { checkRegistrations } = require('./dist-smoke-registrations.cjs');

(async () => {
  for (const backend of ['wasm', 'cpu']) {
    assert.equal(await initBackend({ backend }), backend);
    const g = tf.tidy(() =>
      tf
        .grad((x) => x.tanh().square().sum())(tf.tensor1d([0.5, -1, 2]))
        .arraySync(),
    );
    const expected = [0.5, -1, 2].map((x) => 2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2));
    for (const [i, v] of g.entries())
      assert.ok(Math.abs(v - expected[i]) < 1e-5, `${backend} grad[${i}] ${v}`);
  }
  await initBackend('wasm');
  const ppo = new Ppo({ env: new CartPole(), seed: 1, nSteps: 128, batchSize: 32, nEpochs: 2 });
  const progress = await ppo.learn({ totalTimesteps: 256 });
  assert.ok(Number.isFinite(progress.train.valueLoss));
  const action = ppo.predict(new Float32Array([0, 0, 0.05, 0]), { deterministic: true });
  assert.ok(action[0] === 0 || action[0] === 1);
  ppo.dispose();
  await checkThreads(require('@marlts/rl-core'));
  await checkRegistrations(require('@marlts/rl-core'), require.resolve('@marlts/rl-core'));
  console.log('rl-core dist smoke (CJS): ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
