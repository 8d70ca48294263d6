// Runs the BUILT package under plain node (no vitest, no loader): catches tfjs packaging
// bugs that vitest's resolver hides (ecosystem.md §3). ESM half.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CartPole, initBackend, isRlError, Pendulum, Ppo, RlError, Sac, tf } from '@marlts/rl-core';

const require = createRequire(import.meta.url);
const { checkThreads } = require('./dist-smoke-threads.cjs');
const { checkRegistrations } = require('./dist-smoke-registrations.cjs');

const f = (x) => tf.tanh(x).square().sum();
const analytic = (x) => 2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2);
for (const backend of ['wasm', 'cpu']) {
  assert.equal(await initBackend(backend), backend);
  const before = tf.memory().numTensors;
  const xs = [0.5, -1, 2];
  const g = tf.tidy(() => tf.grad(f)(tf.tensor1d(xs)).arraySync());
  for (const [i, v] of g.entries())
    assert.ok(Math.abs(v - analytic(xs[i])) < 1e-5, `${backend} grad[${i}] ${v}`);
  assert.equal(tf.memory().numTensors, before, 'no tensor leak');
}
try {
  await initBackend({ backend: 'tensorflow' });
  assert.fail('tensorflow backend should fail without @tensorflow/tfjs-node');
} catch (e) {
  assert.ok(isRlError(e, 'BACKEND') && e instanceof RlError, String(e));
  assert.match(e.message, /npm install @tensorflow\/tfjs-node/);
}
// Train a tiny PPO on CartPole, predict, round-trip a checkpoint; a few SAC steps on Pendulum.
await initBackend('wasm');
{
  const before = tf.memory().numTensors;
  const ppo = new Ppo({ env: new CartPole(), seed: 0, nSteps: 128, batchSize: 32, nEpochs: 2 });
  const progress = await ppo.learn({ totalTimesteps: 256 });
  assert.equal(ppo.timesteps, 256);
  assert.ok(Number.isFinite(progress.train.policyLoss) && Number.isFinite(progress.train.approxKl));
  const obs = new Float32Array([0.01, 0, -0.02, 0]);
  const action = ppo.predict(obs, { deterministic: true });
  assert.ok(action instanceof Int32Array && (action[0] === 0 || action[0] === 1));
  const loaded = Ppo.load(JSON.parse(JSON.stringify(ppo.save())));
  assert.deepEqual(Array.from(loaded.predict(obs, { deterministic: true })), Array.from(action));
  const sac = new Sac({
    env: new Pendulum(),
    seed: 0,
    learningStarts: 20,
    batchSize: 16,
    policy: { netArch: [16, 16] },
  });
  await sac.learn({ totalTimesteps: 30 });
  const a = sac.predict(new Float32Array([1, 0, 0]), { deterministic: true });
  assert.ok(a.length === 1 && Math.abs(a[0]) <= 2);
  for (const m of [ppo, loaded, sac]) m.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor leak after training');
}
await checkThreads(await import('@marlts/rl-core'));
await checkRegistrations(
  await import('@marlts/rl-core'),
  fileURLToPath(import.meta.resolve('@marlts/rl-core')),
);
// Published declarations (both entries and the chunk of types they share) cite only documents
// the package ships (not the repository's docs).
const declarations = readdirSync(new URL('../dist/', import.meta.url)).filter((f) => /\.d\.c?ts$/.test(f));
assert.ok(declarations.length >= 4, `dist holds ${declarations.length} declaration files`);
for (const file of declarations) {
  const text = readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8');
  const cited = [...text.matchAll(/[\w./-]*\.md\b/g)].map((m) => m[0]);
  const unshipped = cited.filter((d) => !['README.md', 'CHANGELOG.md'].includes(d));
  assert.deepEqual(unshipped, [], `dist/${file} cites documents the package does not ship`);
  assert.doesNotMatch(text, /\.\.\/shared|shared\/(docs|vectors)/, `dist/${file} cites ../shared`);
}
console.log('rl-core dist smoke (ESM): ok');
