// Shared by the ESM and CJS dist smoke tests, each passing the package as it loaded it: SAC's
// matrix products on a worker thread (the evaluated worker source must run from the built
// package) give bit-identical results to the calling thread alone.
const assert = require('node:assert/strict');

/** @param {typeof import('@marlts/rl-core')} lib */
async function checkThreads({ Pendulum, Sac, setNumThreads }) {
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

module.exports = { checkThreads };
