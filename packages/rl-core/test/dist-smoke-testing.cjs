// The `/testing` entry on its own (the main entry never imported): its tfjs reference
// implementations differentiate, which needs the gradient registrations the entry carries,
// and it inlines no copy of tfjs-core's internals. `node test/dist-smoke-testing.cjs` runs
// the CJS half; test/dist-smoke-testing.mjs the ESM half.
const assert = require('node:assert/strict');
const { checkRegistrations } = require('./dist-smoke-registrations.cjs');

/** @param {typeof import('@marlts/rl-core/testing')} testing */
async function checkTestingEntry(testing, tf, bundleFile) {
  const initBackend = async (backend) => {
    await tf.setBackend(backend);
    await tf.ready();
    // What rl-core's initBackend does: no tfjs-node banner on the first write.
    tf.backend().firstUse = false;
    return backend;
  };
  await checkRegistrations({ tf, initBackend }, bundleFile);
  await initBackend('cpu');
  const before = tf.memory().numTensors;
  // ∂ entropy / ∂ logits and ∂ ppoLossT / ∂ newLogProb against central differences.
  const entropy = (v) => testing.categoricalEntropyT(v.reshape([1, 3])).sum();
  const loss = (v) =>
    testing.ppoLossT({
      oldLogProb: tf.tensor1d([-1, -1.2, -0.7]),
      newLogProb: v,
      advantages: tf.tensor1d([1, -0.5, 2]),
      oldValues: tf.tensor1d([0, 0.1, 0.2]),
      newValues: tf.tensor1d([0.1, 0.2, 0]),
      returns: tf.tensor1d([1, 0, 0.5]),
      entropy: null,
      clipRange: 0.2,
      clipRangeVf: null,
      normalizeAdvantage: true,
      entCoef: 0.01,
      vfCoef: 0.5,
    }).loss;
  for (const [name, f, x0] of [
    ['categoricalEntropyT', entropy, [0.3, -0.2, 1.1]],
    ['ppoLossT', loss, [-0.9, -1.25, -0.75]],
  ]) {
    tf.tidy(() => {
      const got = tf.grad(f)(tf.tensor1d(x0)).dataSync();
      const h = 1e-2;
      x0.forEach((_, i) => {
        const at = (d) => f(tf.tensor1d(x0.map((x, j) => (j === i ? x + d : x)))).dataSync()[0];
        const want = (at(h) - at(-h)) / (2 * h);
        assert.ok(
          Math.abs(got[i] - want) <= 1e-2 * (1 + Math.abs(want)),
          `${name} grad[${i}] ${got[i]} vs ${want}`,
        );
      });
    });
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leak');
  for (const name of ['AdamT', 'clipGradNormT', 'Mlp', 'sacActorT', 'expectClose']) {
    assert.equal(typeof testing[name], 'function', `testing exports ${name}`);
  }
}

if (require.main === module) {
  require('@tensorflow/tfjs-backend-cpu');
  checkTestingEntry(
    require('@marlts/rl-core/testing'),
    require('@tensorflow/tfjs-core'),
    require.resolve('@marlts/rl-core/testing'),
  )
    .then(() => console.log('rl-core dist smoke, testing entry (CJS): ok'))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}

module.exports = { checkTestingEntry };
