// rl-core benchmark on the BUILT package (run `pnpm build` first).
//   node bench/bench.mjs [--backend wasm|cpu|tensorflow] [--quick] [--seeds 2]
//     [--only ppo_cartpole,ppo_pendulum,sac_pendulum,predict]
// Progress goes to stderr; the LAST stdout line is one JSON object (see README "Benchmark").
// steps_per_s counts training time only: evaluations run inside callbacks and are excluded.
import {
  CartPole,
  DummyVecEnv,
  initBackend,
  kernelVariant,
  numThreads,
  Pendulum,
  Ppo,
  Sac,
} from '@marlts/rl-core';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const backend = option('backend', 'wasm');
const quick = flag('quick');
const nSeeds = Number(option('seeds', '2'));
const only = option('only', 'ppo_cartpole,ppo_pendulum,sac_pendulum,predict').split(',');
const log = (...x) => process.stderr.write(`${x.join(' ')}\n`);

await initBackend(backend);

/** Mean undiscounted return of `episodes` deterministic episodes on a fresh env. */
function evaluate(model, makeEnv, episodes = 10) {
  const env = makeEnv();
  let total = 0;
  for (let ep = 0; ep < episodes; ep++) {
    let { obs } = env.reset({ seed: 100_000 + ep });
    for (;;) {
      const a = model.predict(obs, { deterministic: true });
      const r = env.step(env.actionSpace.kind === 'discrete' ? a[0] : a);
      total += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
  }
  return total / episodes;
}

/** Runs `learn` with an evaluation every `evalEvery` steps; returns throughput and the eval curve. */
async function trainWithEval(model, { totalTimesteps, evalEvery, makeEnv, threshold, sac }) {
  const curve = [];
  let evalMs = 0;
  let nextEval = evalEvery;
  let reached = null;
  const t0 = performance.now();
  const callback = (p) => {
    if (p.timesteps < nextEval && p.timesteps < totalTimesteps) return;
    nextEval += evalEvery;
    const e0 = performance.now();
    const score = evaluate(model, makeEnv);
    evalMs += performance.now() - e0;
    curve.push([p.timesteps, Math.round(score * 10) / 10]);
    if (reached === null && threshold !== undefined && score >= threshold) reached = p.timesteps;
    log(
      `  ${p.timesteps} steps: eval ${score.toFixed(1)}, train ep_rew_mean ${p.episodeRewardMean.toFixed(1)}`,
    );
  };
  await model.learn({ totalTimesteps, callback, ...(sac ? { callbackEvery: evalEvery } : {}) });
  const trainMs = performance.now() - t0 - evalMs;
  const finalEval =
    curve.length && curve.at(-1)[0] >= totalTimesteps ? curve.at(-1)[1] : evaluate(model, makeEnv);
  return {
    steps_per_s: Math.round((model.timesteps * 1000) / trainMs),
    reached,
    final_eval: finalEval,
    curve,
  };
}

const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const result = { backend, quick, ppo_cartpole: [], ppo_pendulum: [], sac_pendulum: [], predict_us: {} };
const seeds = Array.from({ length: nSeeds }, (_, i) => i);

if (only.includes('ppo_cartpole')) {
  // SB3 defaults: 1 env, nSteps 2048, batch 64, 10 epochs, lr 3e-4, clip 0.2, γ 0.99, λ 0.95.
  for (const seed of seeds) {
    log(`PPO CartPole-v1 seed ${seed} (${backend})`);
    const ppo = new Ppo({ env: new CartPole(), seed });
    const r = await trainWithEval(ppo, {
      totalTimesteps: quick ? 4096 : 50_000,
      evalEvery: 2048,
      makeEnv: () => new CartPole(),
      threshold: 475,
    });
    result.ppo_cartpole.push({
      seed,
      steps_per_s: r.steps_per_s,
      steps_to_475: r.reached,
      final_eval: r.final_eval,
    });
    ppo.dispose();
  }
}

if (only.includes('ppo_pendulum')) {
  // rl-zoo ppo.yml Pendulum-v1 without gSDE: 4 envs, normalize, nSteps 1024, γ 0.9, λ 0.95,
  // 10 epochs, lr 1e-3, clip 0.2, entCoef 0, batch 64 (SB3 default; rl-zoo does not set it).
  for (const seed of seeds) {
    log(`PPO Pendulum-v1 seed ${seed} (${backend})`);
    const env = new DummyVecEnv([0, 1, 2, 3].map(() => () => new Pendulum()));
    const ppo = new Ppo({
      env,
      seed,
      nSteps: 1024,
      gamma: 0.9,
      gaeLambda: 0.95,
      nEpochs: 10,
      learningRate: 1e-3,
      clipRange: 0.2,
      entCoef: 0,
      normalizeObs: true,
      normalizeReward: true,
    });
    const r = await trainWithEval(ppo, {
      totalTimesteps: quick ? 8192 : 100_000,
      evalEvery: quick ? 4096 : 20_480,
      makeEnv: () => new Pendulum(),
    });
    result.ppo_pendulum.push({ seed, steps_per_s: r.steps_per_s, final_eval: r.final_eval });
    ppo.dispose();
  }
}

if (only.includes('sac_pendulum')) {
  // rl-zoo sac.yml Pendulum-v1: SB3 defaults with lr 1e-3 (buffer 1e6, batch 256, τ 0.005,
  // γ 0.99, learningStarts 100, trainFreq 1, gradientSteps 1, entCoef auto).
  for (const seed of seeds) {
    log(`SAC Pendulum-v1 seed ${seed} (${backend})`);
    const sac = new Sac({ env: new Pendulum(), seed, learningRate: 1e-3 });
    const r = await trainWithEval(sac, {
      totalTimesteps: quick ? 600 : 20_000,
      evalEvery: quick ? 300 : 1000,
      makeEnv: () => new Pendulum(),
      threshold: -200,
      sac: true,
    });
    result.sac_pendulum.push({
      seed,
      steps_per_s: r.steps_per_s,
      steps_to_minus200: r.reached,
      final_eval: r.final_eval,
    });
    sac.dispose();
  }
}

if (only.includes('predict')) {
  // Deterministic predict at batch 1 (Pendulum obs, Box action), 64×64 and 256×256 tanh MLPs.
  const obs = Float32Array.from([0.3, -0.9, 0.5]);
  for (const [key, hidden] of [
    ['mlp64', [64, 64]],
    ['mlp256', [256, 256]],
  ]) {
    const ppo = new Ppo({ env: new Pendulum(), seed: 0, policy: { netArch: hidden } });
    const calls = quick ? 2000 : 20_000;
    for (let i = 0; i < 1000; i++) ppo.predict(obs, { deterministic: true });
    const t = performance.now();
    let sink = 0;
    for (let i = 0; i < calls; i++) {
      obs[0] = (i % 100) / 100;
      sink += ppo.predict(obs, { deterministic: true })[0];
    }
    result.predict_us[key] = round(((performance.now() - t) * 1000) / calls, 2);
    if (!Number.isFinite(sink)) throw new Error('predict returned a non-finite action');
    ppo.dispose();
  }
  log(`predict µs: ${JSON.stringify(result.predict_us)}`);
}

console.log(
  JSON.stringify({
    backend: result.backend,
    // rl-core's own kernels run acting, PPO's and SAC's updates: which build, how many threads.
    kernels: kernelVariant(),
    threads: numThreads(),
    node: process.versions.node,
    ...(quick ? { quick: true } : {}),
    ppo_cartpole: result.ppo_cartpole,
    ppo_pendulum: result.ppo_pendulum,
    sac_pendulum: result.sac_pendulum,
    predict_us: result.predict_us,
  }),
);
