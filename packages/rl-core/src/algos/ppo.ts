/**
 * Proximal Policy Optimization with the clipped surrogate objective (Schulman et al. 2017,
 * arXiv:1707.06347), following SB3 v2.4 `stable_baselines3/ppo/ppo.py` and
 * `common/on_policy_algorithm.py`, written top-to-bottom like cleanrl's `ppo.py`:
 * rollout (with the value bootstrap on truncation) → GAE → epochs × shuffled minibatches →
 * clipped policy loss, optionally clipped value loss, entropy bonus → global-norm gradient
 * clipping → Adam, with an early stop when the approximate KL exceeds 1.5·targetKl.
 *
 * Acting runs on rl-core's WebAssembly kernels on a weight snapshot refreshed once per
 * update (tfjs costs several µs per op, more than a 64×64 forward pass). A gradient step
 * evaluates the minibatch on the kernels, takes SB3's loss and its gradient with respect to
 * the policy's outputs (`losses/ppo-loss.ts`), backpropagates it through the distribution and
 * the networks (the policy's `backward`, checked against tfjs autodiff of `ppoLossT`), clips
 * it and steps Adam, on a copy of the weights that goes back to the policy once per phase.
 */
import { RolloutBuffer } from '../buffers/rollout-buffer.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointBundle,
  encodeFloat32,
  encodeSpace,
  RL_CORE_VERSION,
  sealCheckpoint,
  validateCheckpoint,
} from '../checkpoint.js';
import { categoricalMode, categoricalSample } from '../distributions/categorical.js';
import type { Env, VecEnv } from '../env.js';
import { RlError } from '../errors.js';
import { type PpoLossInputs, type PpoLossResult, ppoLoss, ppoLossBackward } from '../losses/ppo-loss.js';
import { clipGradNorm } from '../nn/clip-grad.js';
import type { RunningMeanStdState } from '../normalize/running-mean-std.js';
import { ObsNormalizer, RewardNormalizer, type RewardNormalizerState } from '../normalize/vec-normalize.js';
import { Adam } from '../optim/adam.js';
import { ActorCriticPolicy } from '../policies/actor-critic.js';
import { Rng, type RngState } from '../random.js';
import { explainedVariance } from '../returns.js';
import { type Space, spaceMismatch, spaceSize } from '../spaces.js';
import { toVecEnv } from '../vec-env.js';
import {
  assertAlive,
  bundleAdamState,
  bundleSpaces,
  bundleWeights,
  EpisodeStats,
  firstNonFinite,
  parseOptions,
  yieldToEventLoop,
} from './common.js';
import { type PpoConfig, type PpoOptions, ppoConfigSchema } from './ppo-config.js';
import {
  decodeSchedule,
  type EncodedSchedule,
  encodeSchedule,
  type Schedule,
  scheduleValue,
} from './schedule.js';
import type { PpoProgress, PpoTrainStats } from './stats.js';

/** Options of {@link Ppo.learn}. */
export interface PpoLearnOptions {
  /** Env steps to train for (rounded up to whole rollouts of nSteps·nEnvs). */
  totalTimesteps: number;
  /** Called after every rollout + update; return `false` to stop. */
  callback?: (progress: PpoProgress) => unknown;
  /** SB3's `reset_num_timesteps` (default true): false continues the step count and the schedule. */
  resetNumTimesteps?: boolean;
}

/** Options of {@link Ppo.predict}. */
export interface PredictOptions {
  /** Mean / argmax action instead of a sample (default false, as SB3). */
  deterministic?: boolean;
}

/** Options of {@link Ppo.load}. */
export interface PpoLoadOptions {
  /** Env to continue training on; its spaces must match the checkpoint's. */
  env?: Env | VecEnv;
  /** Re-supply a custom schedule function (custom functions are stored as their last value). */
  learningRate?: Schedule;
  clipRange?: Schedule;
}

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
export class Ppo {
  /** The resolved options (SB3 defaults filled in). */
  readonly config: PpoConfig;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  private env: VecEnv | null = null;
  private readonly obsDim: number;
  private readonly policy: ActorCriticPolicy;
  private readonly optimizer: Adam;
  private readonly rng: Rng;
  private readonly obsNorm: ObsNormalizer | null;
  private retNorm: RewardNormalizer | null = null;
  private buffer: RolloutBuffer | null = null;
  private lastObs: Float32Array | null = null;
  private lastEpisodeStarts = new Float32Array(0);
  private readonly episodes = new EpisodeStats();
  private numTimesteps = 0;
  private nUpdates = 0;
  private progressRemaining = 1;
  private envSeeded = false;
  private loadedRetRms: RunningMeanStdState | null = null;
  private disposed = false;
  private learning = false;

  constructor(options: PpoOptions) {
    const { env, observationSpace, actionSpace, ...rest } = options ?? ({} as PpoOptions);
    this.config = parseOptions(ppoConfigSchema, rest, 'Ppo') as PpoConfig;
    const obsSpace = env?.observationSpace ?? observationSpace;
    const actSpace = env?.actionSpace ?? actionSpace;
    if (!obsSpace || !actSpace) {
      throw new RlError('CONFIG', 'Ppo: pass env (or observationSpace and actionSpace for inference only)', {
        field: 'env',
      });
    }
    if (obsSpace.kind !== 'box') {
      throw new RlError('CONFIG', 'Ppo: observationSpace must be a Box', { field: 'observationSpace' });
    }
    this.observationSpace = obsSpace;
    this.actionSpace = actSpace;
    this.obsDim = spaceSize(obsSpace);
    const c = this.config;
    const arch = c.policy.netArch;
    const netArch = Array.isArray(arch)
      ? { pi: arch, vf: arch }
      : { pi: arch?.pi ?? [64, 64], vf: arch?.vf ?? arch?.pi ?? [64, 64] };
    this.rng = new Rng(c.seed);
    this.policy = new ActorCriticPolicy({
      obsDim: this.obsDim,
      actionSpace: actSpace,
      netArch,
      activation: c.policy.activation ?? 'tanh',
      logStdInit: c.policy.logStdInit,
      orthoInit: c.policy.orthoInit,
      items: c.policy.items,
      distribution: c.policy.distribution,
      rng: this.rng.fork(),
      maxBatch: c.batchSize,
    });
    this.optimizer = new Adam(this.policy.size, {
      learningRate: scheduleValue(c.learningRate, 1),
      eps: c.adamEps,
    });
    this.obsNorm = c.normalizeObs ? new ObsNormalizer(this.obsDim, c.clipObs) : null;
    if (env) this.setEnv(env);
  }

  /** Env steps taken so far (SB3 `num_timesteps`). */
  get timesteps(): number {
    return this.numTimesteps;
  }

  /** Swaps the training env (same spaces; e.g. a fresh data window for online retraining). */
  setEnv(env: Env | VecEnv): void {
    assertAlive(this.disposed, 'Ppo');
    if (this.learning) throw new RlError('STATE', 'Ppo.setEnv: not while learn() is running');
    for (const [name, a, b] of [
      ['observationSpace', env.observationSpace, this.observationSpace],
      ['actionSpace', env.actionSpace, this.actionSpace],
    ] as const) {
      const why = spaceMismatch(a, b);
      if (why)
        throw new RlError('CONFIG', `Ppo.setEnv: the env's ${name} differs from the model's (${why})`, {
          field: name,
        });
    }
    const venv = toVecEnv(env);
    this.env = venv;
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
    this.lastObs = null;
  }

  /**
   * Trains for `totalTimesteps` env steps. Rejects with `RlError('NAN')` if a reward,
   * loss or gradient is not finite (the bad update is not applied), `RlError('STATE')`
   * without an env or after dispose.
   */
  async learn(options: PpoLearnOptions): Promise<PpoProgress> {
    assertAlive(this.disposed, 'Ppo');
    const { totalTimesteps, callback, resetNumTimesteps = true } = options;
    if (!Number.isInteger(totalTimesteps) || totalTimesteps < 1) {
      throw new RlError(
        'CONFIG',
        `Ppo.learn: totalTimesteps must be a positive integer, got ${totalTimesteps}`,
        {
          field: 'totalTimesteps',
        },
      );
    }
    if (!this.env || !this.buffer)
      throw new RlError('STATE', 'Ppo.learn: no env; pass one to the constructor or setEnv()');
    if (this.learning) throw new RlError('STATE', 'Ppo.learn: already running; await the previous call');
    this.learning = true;
    try {
      return await this.learnLoop(totalTimesteps, resetNumTimesteps, callback);
    } finally {
      this.learning = false;
    }
  }

  private async learnLoop(
    totalTimesteps: number,
    resetNumTimesteps: boolean,
    callback: PpoLearnOptions['callback'],
  ): Promise<PpoProgress> {
    if (resetNumTimesteps) this.numTimesteps = 0;
    const target = this.numTimesteps + totalTimesteps;
    if (resetNumTimesteps || this.lastObs === null) this.resetEnv();
    const start = this.numTimesteps;
    let busyMs = 0;
    let iteration = 0;
    let progress: PpoProgress = this.progress(target, 0, 0, null);
    while (this.numTimesteps < target) {
      const t0 = performance.now();
      this.collectRollout();
      iteration++;
      this.progressRemaining = 1 - this.numTimesteps / target;
      const stats = this.train();
      busyMs += performance.now() - t0;
      progress = this.progress(target, iteration, ((this.numTimesteps - start) * 1000) / busyMs, stats);
      if (callback?.(progress) === false) break;
      await yieldToEventLoop();
      assertAlive(this.disposed, 'Ppo');
    }
    return progress;
  }

  private progress(target: number, iteration: number, sps: number, train: PpoTrainStats | null): PpoProgress {
    return {
      timesteps: this.numTimesteps,
      totalTimesteps: target,
      iteration,
      stepsPerSecond: sps,
      episodeRewardMean: this.episodes.meanReward,
      episodeLengthMean: this.episodes.meanLength,
      episodes: this.episodes.count,
      train,
    };
  }

  private resetEnv(): void {
    const env = this.env!;
    const { obs } = this.envSeeded ? env.reset() : env.reset({ seed: this.config.seed });
    this.envSeeded = true;
    this.checkObs(obs, 'reset');
    this.obsNorm?.update(obs, env.nEnvs);
    this.retNorm?.resetReturns();
    this.lastObs = obs;
    this.lastEpisodeStarts = new Float32Array(env.nEnvs).fill(1);
  }

  private checkObs(obs: Float32Array, where: string): void {
    const bad = firstNonFinite(obs);
    if (bad >= 0) {
      throw new RlError(
        'NAN',
        `Ppo: the env returned a non-finite observation (${obs[bad]}) at ${where}, step ${this.numTimesteps}`,
        {
          field: 'obs',
        },
      );
    }
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
      const bad = firstNonFinite(step.rewards);
      if (bad >= 0) {
        throw new RlError(
          'NAN',
          `Ppo: env ${bad} returned a non-finite reward (${step.rewards[bad]}) at step ${this.numTimesteps}`,
          {
            field: 'reward',
          },
        );
      }
      this.checkObs(step.obs, 'step');
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
   * (Discrete) or Float32Array `[n·actDim]` clipped to the action space (Box). Pure JS.
   */
  predict(obs: ArrayLike<number>, options: PredictOptions = {}): Float32Array | Int32Array {
    assertAlive(this.disposed, 'Ppo');
    const n = obs.length / this.obsDim;
    if (!Number.isInteger(n) || n < 1) {
      throw new RlError(
        'SHAPE',
        `Ppo.predict: ${obs.length} values is not a multiple of obsDim ${this.obsDim}`,
        {
          field: 'obs',
        },
      );
    }
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
    assertAlive(this.disposed, 'Ppo');
    const weights = this.policy.getWeights();
    const bad = firstNonFinite(weights);
    if (bad >= 0)
      throw new RlError('NAN', `Ppo.save: weight ${bad} is ${weights[bad]}; not saving`, {
        field: 'weights.policy',
      });
    const opt = this.optimizer.getState();
    const { learningRate, clipRange, ...rest } = this.config;
    return sealCheckpoint({
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      algo: 'ppo',
      rlCoreVersion: RL_CORE_VERSION,
      createdAt: new Date().toISOString(),
      config: {
        ...rest,
        learningRate: encodeSchedule(learningRate, this.progressRemaining),
        clipRange: encodeSchedule(clipRange, this.progressRemaining),
      },
      spaces: { observation: encodeSpace(this.observationSpace), action: encodeSpace(this.actionSpace) },
      weights: { policy: encodeFloat32(weights) },
      optimizers: {
        policy: {
          step: opt.step,
          m: opt.m.map((x) => encodeFloat32(x)),
          v: opt.v.map((x) => encodeFloat32(x)),
        },
      },
      normalizers: { obs: this.obsNorm?.getState() ?? null, reward: this.retNorm?.getState() ?? null },
      rng: [...this.rng.getState()],
      timesteps: this.numTimesteps,
      state: { nUpdates: this.nUpdates, progressRemaining: this.progressRemaining },
    });
  }

  /**
   * Rebuilds a model from {@link save}'s bundle, validating everything; any mismatch throws
   * `RlError('CHECKPOINT')` naming the field.
   */
  static load(bundle: CheckpointBundle | unknown, options: PpoLoadOptions = {}): Ppo {
    const b = validateCheckpoint(bundle, 'ppo');
    const { observationSpace, actionSpace } = bundleSpaces(b, options.env, 'Ppo.load');
    const cfg = b.config as Record<string, unknown>;
    let ppo: Ppo;
    try {
      ppo = new Ppo({
        ...(cfg as PpoOptions),
        learningRate: options.learningRate ?? decodeSchedule(cfg.learningRate as EncodedSchedule),
        clipRange: options.clipRange ?? decodeSchedule(cfg.clipRange as EncodedSchedule),
        observationSpace,
        actionSpace,
      });
    } catch (cause) {
      const field = `config.${(cause as RlError).field ?? ''}`;
      throw new RlError('CHECKPOINT', `Ppo.load: ${(cause as Error).message}`, { field, cause });
    }
    try {
      ppo.policy.setWeights(bundleWeights(b, 'policy', ppo.policy.size, 'Ppo.load'));
      ppo.optimizer.setState(bundleAdamState(b, 'policy', [ppo.policy.size], 'Ppo.load'));
      const norm = b.normalizers as {
        obs?: RunningMeanStdState | null;
        reward?: RewardNormalizerState | null;
      };
      if (ppo.obsNorm) {
        if (!norm.obs)
          throw new RlError('CHECKPOINT', 'Ppo.load: normalizers.obs is missing', {
            field: 'normalizers.obs',
          });
        ppo.obsNorm.setState(norm.obs);
      }
      ppo.loadedRetRms = norm.reward?.rms ?? null;
      ppo.rng.setState(b.rng as unknown as RngState);
      ppo.numTimesteps = b.timesteps;
      ppo.nUpdates = Number(b.state.nUpdates ?? 0);
      ppo.progressRemaining = Number(b.state.progressRemaining ?? 1);
      ppo.envSeeded = true;
      if (options.env) ppo.setEnv(options.env);
    } catch (e) {
      ppo.dispose();
      throw e;
    }
    return ppo;
  }

  /** Frees the model's tensors (the env is not closed). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.policy.dispose();
    this.optimizer.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
