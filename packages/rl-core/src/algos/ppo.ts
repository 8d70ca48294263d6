/**
 * Proximal Policy Optimization with the clipped surrogate objective (Schulman et al. 2017,
 * arXiv:1707.06347), following SB3 v2.4 `stable_baselines3/ppo/ppo.py` and
 * `common/on_policy_algorithm.py`, written top-to-bottom like cleanrl's `ppo.py`:
 * rollout (with the value bootstrap on truncation) → GAE → epochs × shuffled minibatches →
 * clipped policy loss, optionally clipped value loss, entropy bonus → global-norm gradient
 * clipping → Adam, with an early stop when the approximate KL exceeds 1.5·targetKl.
 *
 * Everything runs on rl-core's WebAssembly kernels. A gradient step evaluates the minibatch
 * (the policy's `evaluateActions`), takes SB3's loss and its gradient with respect to the
 * policy's outputs (`losses/ppo-loss.ts`), backpropagates it through the distribution and the
 * networks (the policy's `backward`, checked against tfjs autodiff of `ppoLossT`), clips it
 * and steps Adam, on a copy of the weights that goes back to the policy once per phase.
 */
import { RolloutBuffer } from '../buffers/rollout-buffer.js';
import type { CheckpointBundle } from '../checkpoint/bundle.js';
import { bundleAdamState, bundleWeights } from '../checkpoint/read.js';
import { categoricalMode, categoricalSample } from '../distributions/categorical.js';
import type { Env, VecEnv } from '../env.js';
import { RlError } from '../errors.js';
import { type PpoLossInputs, type PpoLossResult, ppoLoss, ppoLossBackward } from '../losses/ppo-loss.js';
import { clipGradNorm } from '../nn/clip-grad.js';
import type { RunningMeanStdState } from '../normalize/running-mean-std.js';
import { ObsNormalizer, RewardNormalizer, type RewardNormalizerState } from '../normalize/vec-normalize.js';
import { Adam } from '../optim/adam.js';
import { ActorCriticPolicy } from '../policies/actor-critic.js';
import { explainedVariance } from '../returns.js';
import {
  BaseAlgorithm,
  type BaseLearnOptions,
  type PredictOptions,
  yieldToEventLoop,
} from './base-algorithm.js';
import { type PpoConfig, type PpoOptions, ppoConfigSchema } from './ppo-config.js';
import { type Schedule, scheduleValue } from './schedule.js';
import type { PpoProgress, PpoTrainStats } from './stats.js';

/** Options of {@link Ppo.learn}. */
export interface PpoLearnOptions extends BaseLearnOptions {
  /** Env steps to train for (rounded up to whole rollouts of nSteps·nEnvs). */
  totalTimesteps: number;
  /** Called after every rollout + update; return `false` to stop. */
  callback?: (progress: PpoProgress) => unknown;
}

/** Options of {@link Ppo.load}. */
export interface PpoLoadOptions {
  /** Env to continue training on; its spaces must match the checkpoint's. */
  env?: Env | VecEnv;
  /** Re-supply a custom schedule function (custom functions are stored as their last value). */
  learningRate?: Schedule;
  clipRange?: Schedule;
}

/** The config's schedules, stored in checkpoints as their encoded form. */
const SCHEDULES = ['learningRate', 'clipRange'] as const;

/** One minibatch's diagnostics, in the order a non-finite one is reported. */
const MINIBATCH_STATS = [
  'loss',
  'policyLoss',
  'valueLoss',
  'entropyLoss',
  'approxKl',
  'clipFraction',
  'gradNorm',
] as const;
type MinibatchStats = Record<(typeof MINIBATCH_STATS)[number], number>;

/** A minibatch's loss terms and gradient norm in float32, the precision SB3 logs them in. */
function minibatchStats(loss: PpoLossResult, gradNorm: number): MinibatchStats {
  return {
    loss: Math.fround(loss.loss),
    policyLoss: Math.fround(loss.policyLoss),
    valueLoss: Math.fround(loss.valueLoss),
    entropyLoss: Math.fround(loss.entropyLoss),
    approxKl: Math.fround(loss.approxKl),
    clipFraction: Math.fround(loss.clipFraction),
    gradNorm: Math.fround(gradNorm),
  };
}

/**
 * @example
 * await initBackend();
 * const ppo = new Ppo({ env: new CartPole(), seed: 0 });
 * await ppo.learn({ totalTimesteps: 50_000, callback: (p) => console.log(p.timesteps, p.episodeRewardMean) });
 * const action = ppo.predict(obs, { deterministic: true }); // Int32Array [1]
 * const bundle = ppo.save();
 * ppo.dispose();
 */
export class Ppo extends BaseAlgorithm<PpoConfig, PpoLearnOptions, PpoTrainStats> {
  private readonly policy: ActorCriticPolicy;
  private readonly optimizer: Adam;
  private readonly obsNorm: ObsNormalizer | null;
  private retNorm: RewardNormalizer | null = null;
  private buffer: RolloutBuffer | null = null;
  private lastEpisodeStarts = new Float32Array(0);
  /** A loaded model's return statistics, handed to the reward normaliser of its first env. */
  private loadedRetRms: RunningMeanStdState | null = null;

  constructor(options: PpoOptions) {
    super('Ppo', ppoConfigSchema, options, SCHEDULES);
    const c = this.config;
    const arch = c.policy.netArch;
    const netArch = Array.isArray(arch)
      ? { pi: arch, vf: arch }
      : { pi: arch?.pi ?? [64, 64], vf: arch?.vf ?? arch?.pi ?? [64, 64] };
    this.policy = new ActorCriticPolicy({
      obsDim: this.obsDim,
      actionSpace: this.actionSpace,
      netArch,
      activation: c.policy.activation ?? 'tanh',
      logStdInit: c.policy.logStdInit,
      orthoInit: c.policy.orthoInit,
      items: c.policy.items,
      distribution: c.policy.distribution,
      cashLogit: c.policy.cashLogit,
      rng: this.rng.fork(),
      maxBatch: c.batchSize,
    });
    this.optimizer = new Adam(this.policy.size, {
      learningRate: scheduleValue(c.learningRate, 1),
      eps: c.adamEps,
    });
    this.obsNorm = c.normalizeObs ? new ObsNormalizer(this.obsDim, c.clipObs) : null;
    if (options.env) this.setEnv(options.env);
  }

  /** A rollout buffer for the env's copies, and a reward normaliser keeping its statistics. */
  protected attachEnv(venv: VecEnv): void {
    const n = venv.nEnvs;
    if (n * this.config.nSteps < 2 && this.config.normalizeAdvantage) {
      throw new RlError('CONFIG', 'Ppo: nSteps · nEnvs must be > 1 to normalise advantages', {
        field: 'nSteps',
      });
    }
    if (!this.buffer || this.buffer.nEnvs !== n) {
      this.buffer = new RolloutBuffer({
        nSteps: this.config.nSteps,
        nEnvs: n,
        obsDim: this.obsDim,
        actDim: this.policy.actDim,
      });
    }
    const oldRet = this.retNorm;
    this.retNorm = this.config.normalizeReward
      ? new RewardNormalizer(n, this.config.gamma, this.config.clipReward)
      : null;
    const prior = oldRet?.rms.getState() ?? this.loadedRetRms;
    if (prior && this.retNorm) this.retNorm.rms.setState(prior);
  }

  /** Rollouts and updates until `totalTimesteps` more env steps (SB3 `OnPolicyAlgorithm.learn`). */
  protected async learnLoop(options: PpoLearnOptions): Promise<PpoProgress> {
    const { totalTimesteps, callback, resetNumTimesteps = true } = options;
    if (resetNumTimesteps) this.numTimesteps = 0;
    const target = this.numTimesteps + totalTimesteps;
    if (resetNumTimesteps || this.lastObs === null) this.startEpisodes();
    const start = this.numTimesteps;
    let busyMs = 0;
    let iteration = 0;
    let progress: PpoProgress = this.progressRecord(target, 0, 0, null);
    while (this.numTimesteps < target) {
      const t0 = performance.now();
      this.collectRollout();
      iteration++;
      this.progressRemaining = 1 - this.numTimesteps / target;
      const stats = this.train();
      busyMs += performance.now() - t0;
      progress = this.progressRecord(target, iteration, ((this.numTimesteps - start) * 1000) / busyMs, stats);
      if (callback?.(progress) === false) break;
      await yieldToEventLoop();
      this.assertAlive();
    }
    return progress;
  }

  /** Resets the env and the normalisers' running returns; every env starts an episode. */
  private startEpisodes(): void {
    const obs = this.resetEnv();
    this.obsNorm?.update(obs, this.env!.nEnvs);
    this.retNorm?.resetReturns();
    this.lastObs = obs;
    this.lastEpisodeStarts = new Float32Array(this.env!.nEnvs).fill(1);
  }

  private normalize(obs: Float32Array): Float32Array {
    return this.obsNorm ? this.obsNorm.normalize(obs) : obs;
  }

  /** Fills the rollout buffer with nSteps vector steps (SB3 `collect_rollouts`). */
  private collectRollout(): void {
    const env = this.env!;
    const buf = this.buffer!;
    const n = env.nEnvs;
    const { gamma } = this.config;
    buf.reset();
    let dones = new Float32Array(n);
    for (let t = 0; t < this.config.nSteps; t++) {
      const obsIn = this.normalize(this.lastObs!);
      const { actions, logProbs, values } = this.policy.act(obsIn, n, this.rng, false);
      // Sample unclipped (stored for the log-prob); the env sees the clipped action (SB3) or
      // the logistic-normal's weights.
      const envActions = this.policy.envActions(actions, this.actionSpace);
      const step = env.step(envActions);
      this.numTimesteps += n;
      this.checkStep(step);
      dones = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        dones[i] = step.terminated[i] || step.truncated[i] ? 1 : 0;
        this.episodes.add(step.infos[i]?.episode);
      }
      this.obsNorm?.update(step.obs, n);
      const rewards = this.retNorm ? this.retNorm.step(step.rewards, dones) : Float32Array.from(step.rewards);
      for (let i = 0; i < n; i++) {
        const terminalObs = step.infos[i]?.terminalObs;
        // Time-limit truncation: the episode did not end in the MDP, so bootstrap
        // r += γ·V(s_T) from the real last observation (SB3 collect_rollouts).
        if (step.truncated[i] && !step.terminated[i] && terminalObs) {
          const v = this.policy.predictValues(this.normalize(terminalObs), 1)[0]!;
          rewards[i] = rewards[i]! + gamma * v;
        }
      }
      buf.add({ obs: obsIn, actions, rewards, episodeStarts: this.lastEpisodeStarts, values, logProbs });
      this.lastObs = step.obs;
      this.lastEpisodeStarts = dones;
    }
    const lastValues = this.policy.predictValues(this.normalize(this.lastObs!), n);
    buf.computeReturnsAndAdvantage({ lastValues, dones, gamma, gaeLambda: this.config.gaeLambda });
  }

  /** Epochs × minibatches of clipped-surrogate updates (SB3 `PPO.train`). */
  private train(): PpoTrainStats {
    const c = this.config;
    const buf = this.buffer!;
    const lr = scheduleValue(c.learningRate, this.progressRemaining);
    const clipRange = scheduleValue(c.clipRange, this.progressRemaining);
    const sums: MinibatchStats = {
      loss: 0,
      policyLoss: 0,
      valueLoss: 0,
      entropyLoss: 0,
      approxKl: 0,
      clipFraction: 0,
      gradNorm: 0,
    };
    let count = 0;
    let lastLoss = Number.NaN;
    let epochs = 0;
    // The weights and optimiser state before this update phase, restored if it fails. The
    // phase steps a copy of the weights, handed to the policy once at the end.
    const goodWeights = this.policy.getWeights();
    const goodOptimizer = this.optimizer.getState();
    const weights = goodWeights.slice();
    try {
      let continueTraining = true;
      for (let epoch = 0; epoch < c.nEpochs && continueTraining; epoch++) {
        for (const idx of buf.minibatches(c.batchSize, this.rng)) {
          const batch = buf.gather(idx);
          // V(s), log π(a|s) and entropy on the kernels; SB3's loss on them, and its gradient.
          const { values, logProb, entropy } = this.policy.evaluateActions(weights, batch.obs, batch.actions);
          const lossInputs: PpoLossInputs = {
            oldLogProb: batch.oldLogProb,
            newLogProb: logProb,
            advantages: batch.advantages,
            oldValues: batch.oldValues,
            newValues: values,
            returns: batch.returns,
            entropy,
            clipRange,
            clipRangeVf: c.clipRangeVf,
            normalizeAdvantage: c.normalizeAdvantage,
            entCoef: c.entCoef,
            vfCoef: c.vfCoef,
          };
          const loss = ppoLoss(lossInputs);
          const grad = this.policy.backward(ppoLossBackward(lossInputs, loss));
          const stats = minibatchStats(loss, clipGradNorm(grad, c.maxGradNorm));
          const bad = MINIBATCH_STATS.find((k) => !Number.isFinite(stats[k]));
          if (bad) {
            throw new RlError(
              'NAN',
              `Ppo: ${bad} is ${stats[bad]} at step ${this.numTimesteps} (epoch ${epoch}); the weights before this update phase were restored`,
              { field: bad },
            );
          }
          for (const k of MINIBATCH_STATS) sums[k] += stats[k];
          count++;
          lastLoss = stats.loss;
          // SB3 stops the phase before the step that would overshoot the KL target.
          if (c.targetKl !== null && stats.approxKl > 1.5 * c.targetKl) {
            continueTraining = false;
            break;
          }
          this.optimizer.step(weights, grad, lr);
        }
        if (continueTraining) {
          this.nUpdates++;
          epochs++;
        }
      }
      this.policy.setWeights(weights);
    } catch (e) {
      this.policy.setWeights(goodWeights);
      this.optimizer.setState(goodOptimizer);
      throw e;
    }
    const mean = (k: keyof MinibatchStats) => sums[k] / Math.max(1, count);
    const logStd = this.policy.discrete ? null : this.policy.logStd();
    return {
      loss: lastLoss,
      policyLoss: mean('policyLoss'),
      valueLoss: mean('valueLoss'),
      entropyLoss: mean('entropyLoss'),
      entropy: -mean('entropyLoss'),
      approxKl: mean('approxKl'),
      clipFraction: mean('clipFraction'),
      gradNorm: mean('gradNorm'),
      explainedVariance: explainedVariance(buf.values, buf.returns),
      learningRate: lr,
      clipRange,
      epochs,
      nUpdates: this.nUpdates,
      std: logStd ? logStd.reduce((a, x) => a + Math.exp(x), 0) / logStd.length : Number.NaN,
    };
  }

  /**
   * Actions for flat observations `[obsDim]` or `[n·obsDim]`: Int32Array of indices
   * (Discrete) or Float32Array `[n·actDim]` clipped to the action space (Box).
   */
  predict(obs: ArrayLike<number>, options: PredictOptions = {}): Float32Array | Int32Array {
    const n = this.batchOf(obs);
    const x = this.obsNorm ? this.obsNorm.normalize(obs) : obs;
    const head = this.policy.head(x, n);
    const deterministic = options.deterministic ?? false;
    if (this.actionSpace.kind === 'discrete') {
      const k = this.actionSpace.n;
      return deterministic ? categoricalMode(head, k) : categoricalSample(head, k, this.rng);
    }
    const actDim = this.policy.actDim;
    const logStd = this.policy.logStd();
    if (!deterministic)
      for (let i = 0; i < head.length; i++)
        head[i] = head[i]! + Math.exp(logStd[i % actDim]!) * this.rng.normal();
    return this.policy.envActions(head, this.actionSpace);
  }

  /** The model as a checkpoint bundle; throws `RlError('NAN')` rather than save non-finite weights. */
  save(): CheckpointBundle {
    this.assertAlive();
    return this.bundle({
      weights: { policy: this.policy.getWeights() },
      optimizers: { policy: this.optimizer.getState() },
      normalizers: { obs: this.obsNorm?.getState() ?? null, reward: this.retNorm?.getState() ?? null },
      state: {},
    });
  }

  /**
   * Rebuilds a model from {@link save}'s bundle, validating everything; any mismatch throws
   * `RlError('CHECKPOINT')` naming the field.
   */
  static load(bundle: CheckpointBundle | unknown, options: PpoLoadOptions = {}): Ppo {
    return BaseAlgorithm.fromBundle(bundle, 'ppo', options, SCHEDULES, (o) => new Ppo(o as PpoOptions));
  }

  protected readParts(b: CheckpointBundle, who: string): void {
    this.policy.setWeights(bundleWeights(b, 'policy', this.policy.size, who));
    this.optimizer.setState(bundleAdamState(b, 'policy', [this.policy.size], who));
    const norm = b.normalizers as { obs?: RunningMeanStdState | null; reward?: RewardNormalizerState | null };
    if (this.obsNorm) {
      if (!norm.obs) {
        throw new RlError('CHECKPOINT', `${who}: normalizers.obs is missing`, { field: 'normalizers.obs' });
      }
      this.obsNorm.setState(norm.obs);
    }
    this.loadedRetRms = norm.reward?.rms ?? null;
  }

  protected free(): void {
    this.policy.dispose();
    this.optimizer.dispose();
  }
}
