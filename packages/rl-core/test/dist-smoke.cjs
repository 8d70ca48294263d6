// CJS half of the dist smoke test: require() of the built package under plain node.
const assert = require('node:assert/strict');
const { CartPole, initBackend, Pendulum, Ppo, Sac, setNumThreads, tf } = require('@marlts/rl-core');

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
  // SAC's matrix products on a worker thread (the evaluated worker source must load from the
  // built package) give bit-identical results to the calling thread alone.
  {
    const run = async (threads) => {
      assert.equal(setNumThreads(threads), threads);
      const sac = new Sac({
        env: new Pendulum(),
        seed: 3,
        learningStarts: 20,
        batchSize: 64,
        policy: { netArch: [256, 256] },
      });
      const p = await sac.learn({ totalTimesteps: 30 });
      const out = [
        p.train.criticLoss,
        p.train.actorLoss,
        ...sac.predict(new Float32Array([1, 0, 0]), { deterministic: true }),
      ];
      sac.dispose();
      return out;
    };
    const one = await run(1);
    assert.deepEqual(await run(2), one);
    assert.ok(one.every(Number.isFinite));
    setNumThreads(1);
  }
  console.log('rl-core dist smoke (CJS): ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
