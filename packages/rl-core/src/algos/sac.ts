/**
 * Soft Actor-Critic with twin Q critics, Polyak target networks and an automatically tuned
 * entropy coefficient (Haarnoja et al. 2018, arXiv:1801.01290 and arXiv:1812.05905),
 * following SB3 v2.4 `stable_baselines3/sac/sac.py` and `common/off_policy_algorithm.py`:
 * random actions until `learningStarts`, then every `trainFreq` env steps `gradientSteps`
 * updates of: critics (soft Bellman target from the target critics) → actor (reparameterised,
 * through the updated critics) → entropy coefficient (towards −dim A) → Polyak update.
 * Terminations stop the bootstrap; truncations do not (the real last observation is stored).
 */

import { ReplayBuffer, type ReplayBufferState } from '../buffers/replay-buffer.js';
import type { CheckpointBundle } from '../checkpoint/bundle.js';
import { decodeReplayBuffer, encodeReplayBuffer } from '../checkpoint/encode.js';
import { bundleAdamState, bundleWeights } from '../checkpoint/read.js';
import { assertWeightSpace } from '../distributions/logistic-normal.js';
import { squashedGaussianBackward } from '../distributions/squashed-gaussian.js';
import type { Env, VecEnv } from '../env.js';
import { RlError } from '../errors.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { sacActorLoss, sacCriticLoss, sacEntCoefLoss, sacSoftTarget } from '../losses/sac-loss.js';
import { Adam } from '../optim/adam.js';
import { checkItemLayout } from '../policies/items.js';
import { type SacParamGroup, SacPolicy } from '../policies/sac-policy.js';
import { type BoxSpace, spaceSize } from '../spaces.js';
import {
  BaseAlgorithm,
  type BaseLearnOptions,
  type PredictOptions,
  yieldToEventLoop,
} from './base-algorithm.js';
import { type SacConfig, type SacOptions, sacConfigSchema } from './sac-config.js';
import { type Schedule, scheduleValue } from './schedule.js';
import type { SacProgress, SacTrainStats } from './stats.js';

/** torch's Adam defaults (SB3's SAC passes only the learning rate). */
const ADAM = { beta1: 0.9, beta2: 0.999 } as const;

/** The config's schedules, stored in checkpoints as their encoded form. */
const SCHEDULES = ['learningRate'] as const;

/** Options of {@link Sac.learn}. */
export interface SacLearnOptions extends BaseLearnOptions {
  totalTimesteps: number;
  /** Called every `callbackEvery` env steps; return `false` to stop. */
  callback?: (progress: SacProgress) => unknown;
  /** Env steps between callbacks (default 1000). */
  callbackEvery?: number;
}

/** Options of {@link Sac.save}. */
export interface SacSaveOptions {
  /** Include the replay buffer (default false). */
  replayBuffer?: boolean;
}

/** Options of {@link Sac.load}. */
export interface SacLoadOptions {
  env?: Env | VecEnv;
  learningRate?: Schedule;
}

/**
 * With `policy.items` the actor and both critics are per-item shared encoders (see
 * `policies/sac-policy.ts`): a portfolio of N assets trains networks whose size does not
 * depend on N, and whose actions follow the items when their order changes.
 *
 * @example
 * await initBackend();
 * const sac = new Sac({ env: new Pendulum(), seed: 0 });
 * await sac.learn({ totalTimesteps: 20_000 });
 * const action = sac.predict(obs, { deterministic: true }); // Float32Array in the action bounds
 * sac.dispose();
 * // A portfolio of 3 assets, 4 features each and 2 shared: one small network per role.
 * const short = new Sac({ env: portfolioEnv, policy: { items: { items: 3, itemDim: 4, globalDim: 2 },
 *   distribution: 'logistic-normal', netArch: [64, 64] } });
 */
export class Sac extends BaseAlgorithm<SacConfig, SacLearnOptions, SacTrainStats> {
  declare readonly actionSpace: BoxSpace;
  private readonly actDim: number;
  private readonly policy: SacPolicy;
  /** Adam on the actor's and on the critics' parameters, moments in kernel memory beside them. */
  private readonly optimizers: { actor: Adam; critic: Adam };
  /** log α and its optimiser when α is learned (`entCoef: 'auto…'`), else null. */
  private readonly entOpt: { logEntCoef: Float32Array; optimizer: Adam } | null;
  private entCoef: number;
  private readonly targetEntropy: number;
  private readonly replay: ReplayBuffer;
  /** Sums of the training statistics since the last report. */
  private statSums = { criticLoss: 0, actorLoss: 0, entCoefLoss: 0, logProb: 0 };
  private statCount = 0;

  constructor(options: SacOptions) {
    super('Sac', sacConfigSchema, options, SCHEDULES);
    const actSpace = this.actionSpace as BoxSpace | { kind: 'discrete' };
    if (actSpace.kind !== 'box')
      throw new RlError('CONFIG', 'Sac: actionSpace must be a Box (continuous actions)', {
        field: 'actionSpace',
      });
    for (let i = 0; i < actSpace.low.length; i++) {
      if (!Number.isFinite(actSpace.low[i]!) || !Number.isFinite(actSpace.high[i]!)) {
        throw new RlError(
          'CONFIG',
          'Sac: the action space must have finite bounds (actions are tanh-squashed)',
          {
            field: 'actionSpace',
          },
        );
      }
    }
    const c = this.config;
    if (c.policy.items) checkItemLayout(this.obsDim, actSpace, c.policy.items);
    if (c.policy.distribution === 'logistic-normal') assertWeightSpace(actSpace, 'Sac');
    this.actDim = spaceSize(actSpace);
    const arch = c.policy.netArch;
    const netArch = Array.isArray(arch)
      ? { pi: arch, qf: arch }
      : { pi: arch?.pi ?? [256, 256], qf: arch?.qf ?? arch?.pi ?? [256, 256] };
    this.policy = new SacPolicy({
      obsDim: this.obsDim,
      actDim: this.actDim,
      netArch,
      activation: c.policy.activation ?? 'relu',
      rng: this.rng.fork(),
      maxBatch: c.batchSize,
      distribution: c.policy.distribution,
      logitBound: c.policy.logitBound,
      cashLogit: c.policy.cashLogit,
      items: c.policy.items,
    });
    const adam = { learningRate: scheduleValue(c.learningRate, 1), ...ADAM, eps: c.adamEps };
    const inKernels = (group: 'actor' | 'critic') =>
      new Adam(this.policy.params[group].length, adam, {
        kernels: wasmKernels(),
        tensorSizes: this.policy.tensorSizes(group),
      });
    this.optimizers = { actor: inKernels('actor'), critic: inKernels('critic') };
    this.targetEntropy = c.targetEntropy === 'auto' ? -this.actDim : c.targetEntropy;
    if (typeof c.entCoef === 'string') {
      const init = c.entCoef.startsWith('auto_') ? Number(c.entCoef.slice(5)) : 1;
      const logEntCoef = Float32Array.of(Math.log(init));
      this.entCoef = Math.exp(logEntCoef[0]!);
      this.entOpt = { logEntCoef, optimizer: new Adam(1, adam) };
    } else {
      this.entCoef = c.entCoef;
      this.entOpt = null;
    }
    this.replay = new ReplayBuffer({ capacity: c.bufferSize, obsDim: this.obsDim, actDim: this.actDim });
    if (options.env) this.setEnv(options.env);
  }

  /** Transitions in the replay buffer. */
  get replaySize(): number {
    return this.replay.size;
  }

  /**
   * A copy of the replay buffer's transitions (SB3's `save_replay_buffer`, in memory), e.g. to
   * hand one model's experience to another.
   */
  getReplayBuffer(): ReplayBufferState {
    this.assertAlive();
    return this.replay.getState();
  }

  /** Replaces the replay buffer with {@link getReplayBuffer}'s output; a shape mismatch throws `RlError('CHECKPOINT')` and changes nothing. */
  setReplayBuffer(state: ReplayBufferState): void {
    this.assertAlive();
    if (this.learning) throw new RlError('STATE', 'Sac.setReplayBuffer: not while learn() is running');
    this.replay.setState(state);
  }

  /** The replay buffer is kept across envs. */
  protected attachEnv(): void {}

  /** Env steps and gradient steps until `totalTimesteps` more env steps (SB3 `OffPolicyAlgorithm.learn`). */
  protected async learnLoop(options: SacLearnOptions): Promise<SacProgress> {
    const { totalTimesteps, callback, callbackEvery = 1000, resetNumTimesteps = true } = options;
    const env = this.env!;
    if (resetNumTimesteps) this.numTimesteps = 0;
    const target = this.numTimesteps + totalTimesteps;
    if (resetNumTimesteps || this.lastObs === null) this.lastObs = this.resetEnv();
    const c = this.config;
    const n = env.nEnvs;
    const start = this.numTimesteps;
    let busyMs = 0;
    let iteration = 0;
    let nextReport = start + callbackEvery;
    let progress = this.progress(target, 0, 0);
    while (this.numTimesteps < target) {
      const t0 = performance.now();
      for (let k = 0; k < c.trainFreq; k++) this.collectStep(env, n);
      if (this.numTimesteps > c.learningStarts) {
        const steps = c.gradientSteps === -1 ? c.trainFreq : c.gradientSteps;
        this.progressRemaining = 1 - this.numTimesteps / target;
        this.train(steps);
      }
      busyMs += performance.now() - t0;
      if (this.numTimesteps >= nextReport || this.numTimesteps >= target) {
        nextReport += callbackEvery;
        iteration++;
        progress = this.progress(target, iteration, ((this.numTimesteps - start) * 1000) / busyMs);
        if (callback?.(progress) === false) break;
        await yieldToEventLoop();
        this.assertAlive();
      }
    }
    return progress;
  }

  /** The progress record, with the means of the training statistics since the last one. */
  private progress(target: number, iteration: number, sps: number): SacProgress {
    let train: SacTrainStats | null = null;
    if (this.statCount > 0) {
      const m = (k: keyof Sac['statSums']) => this.statSums[k] / this.statCount;
      train = {
        criticLoss: m('criticLoss'),
        actorLoss: m('actorLoss'),
        entCoefLoss: m('entCoefLoss'),
        logProb: m('logProb'),
        entCoef: this.entCoef,
        learningRate: scheduleValue(this.config.learningRate, this.progressRemaining),
        nUpdates: this.nUpdates,
      };
      this.statSums = { criticLoss: 0, actorLoss: 0, entCoefLoss: 0, logProb: 0 };
      this.statCount = 0;
    }
    return this.progressRecord(target, iteration, sps, train);
  }

  /** One vector env step: act, store transitions (real last obs on done), advance. */
  private collectStep(env: VecEnv, n: number): void {
    const d = this.actDim;
    const obs = this.lastObs!;
    let scaled: Float32Array;
    if (this.numTimesteps < this.config.learningStarts) {
      scaled = new Float32Array(n * d);
      for (let i = 0; i < scaled.length; i++) scaled[i] = this.rng.uniform(-1, 1);
    } else {
      scaled = this.policy.act(obs, n, this.rng, false);
    }
    const step = env.step(this.policy.envActions(scaled, this.actionSpace));
    this.numTimesteps += n;
    this.checkStep(step);
    const o = this.obsDim;
    for (let i = 0; i < n; i++) {
      const info = step.infos[i];
      this.episodes.add(info?.episode);
      const done = step.terminated[i] || step.truncated[i];
      const next = done && info?.terminalObs ? info.terminalObs : step.obs.subarray(i * o, i * o + o);
      this.replay.add(
        obs.subarray(i * o, i * o + o),
        scaled.subarray(i * d, i * d + d),
        step.rewards[i]!,
        next,
        step.terminated[i] === 1,
      );
    }
    this.lastObs = step.obs;
  }

  /**
   * `steps` gradient steps in the order of Haarnoja et al. (2018), Algorithm 1: the critics,
   * the actor (through the updated critics), the entropy coefficient, the target critics. Every
   * loss uses α from before the step, as SB3's `SAC.train` does (which updates α first); the
   * losses and their gradients with respect to the networks' outputs are in
   * `losses/sac-loss.ts`, the passes on the kernels in {@link SacPolicy}. Nothing is applied
   * from a non-finite loss or gradient on: it rejects with `RlError('NAN')` naming it.
   */
  private train(steps: number): void {
    const c = this.config;
    const p = this.policy;
    const lr = scheduleValue(c.learningRate, this.progressRemaining);
    const B = c.batchSize;
    for (let g = 0; g < steps; g++) {
      const batch = this.replay.sample(B, this.rng);
      const noiseNext = this.rng.fillNormal(new Float32Array(B * this.actDim)) as Float32Array;
      const noisePi = this.rng.fillNormal(new Float32Array(B * this.actDim)) as Float32Array;
      const alpha = this.entCoef;

      // 1. Critics: y = r + γ(1 − d)(min Q̄ᵢ(s', a') − α log π(a'|s')) with a' ~ π(·|s'),
      //    J_Q = ½ Σᵢ mean((Qᵢ(s, a) − y)²).
      const next = p.sampleActions(batch.nextObs, noiseNext);
      const [q1Next, q2Next] = p.qValues('criticTarget', batch.nextObs, next.actions);
      const y = sacSoftTarget(batch.rewards, batch.dones, q1Next, q2Next, next.logProb, alpha, c.gamma);
      const [q1, q2] = p.qValues('critic', batch.obs, batch.actions);
      const critic = sacCriticLoss(q1, q2, y);
      const criticGrad = p.criticBackward(critic.dQ1, critic.dQ2);
      this.assertFinite('criticLoss', critic.loss);
      this.assertFinite('criticGrad', criticGrad.sumSq);
      this.optimizers.critic.step(p.params.critic, criticGrad.grad, lr);

      // 2. Actor: J_π = mean(α log π(a_π|s) − min Qᵢ(s, a_π)) with a_π ~ π(·|s), reparameterised,
      //    through the updated critics (their weights held fixed).
      const pi = p.sampleActions(batch.obs, noisePi);
      const [q1Pi, q2Pi] = p.qValues('critic', batch.obs, pi.actions);
      const actor = sacActorLoss(q1Pi, q2Pi, pi.logProb, alpha);
      const dActions = p.criticActionGradient(actor.useQ1, -1 / B);
      const { dMean, dLogStd } = squashedGaussianBackward(
        pi.actions,
        pi.logStd,
        noisePi,
        dActions,
        alpha,
        this.actDim,
      );
      const actorGrad = p.actorBackward(dMean, dLogStd);
      this.assertFinite('actorLoss', actor.loss);
      this.assertFinite('actorGrad', actorGrad.sumSq);
      this.optimizers.actor.step(p.params.actor, actorGrad.grad, lr);

      // 3. Entropy coefficient: J(α) = −mean(log α·(log π(a_π|s) + target entropy)), in log space.
      let entCoefLoss = 0;
      if (this.entOpt) {
        const { logEntCoef, optimizer } = this.entOpt;
        const ent = sacEntCoefLoss(logEntCoef[0]!, actor.meanLogProb, this.targetEntropy);
        entCoefLoss = ent.loss;
        optimizer.step(logEntCoef, Float32Array.of(ent.grad), lr);
        this.assertFinite('entCoef', logEntCoef[0]!);
        this.entCoef = Math.exp(logEntCoef[0]!);
      }

      // 4. Target critics: θ̄ ← τθ + (1 − τ)θ̄ every targetUpdateInterval steps.
      this.nUpdates++;
      if (this.nUpdates % c.targetUpdateInterval === 0) p.polyakUpdate(c.tau);

      const s = this.statSums;
      s.criticLoss += critic.loss;
      s.actorLoss += actor.loss;
      s.entCoefLoss += entCoefLoss;
      s.logProb += actor.meanLogProb;
      this.statCount++;
    }
  }

  /** Throws `RlError('NAN')` naming `what` unless `value` is finite. */
  private assertFinite(what: string, value: number): void {
    if (Number.isFinite(value)) return;
    throw new RlError(
      'NAN',
      `Sac: ${what} is ${value} at step ${this.numTimesteps}; the update was not applied`,
      {
        field: what,
      },
    );
  }

  /** Actions in the env's bounds for flat observations `[n·obsDim]` (actor on the kernels). */
  predict(obs: ArrayLike<number>, options: PredictOptions = {}): Float32Array {
    const n = this.batchOf(obs);
    const squashed = this.policy.act(obs, n, this.rng, options.deterministic ?? false);
    return this.policy.envActions(squashed, this.actionSpace);
  }

  /**
   * The model as a checkpoint bundle. The replay buffer is included only when asked for
   * (`{ replayBuffer: true }`, SB3's `save_replay_buffer`): it can be far larger than the
   * networks, and a warm start without it refills from new experience.
   */
  save(options: SacSaveOptions = {}): CheckpointBundle {
    this.assertAlive();
    const p = this.policy;
    const weights: Record<string, Float32Array> = {
      actor: p.get('actor'),
      critic: p.get('critic'),
      criticTarget: p.get('criticTarget'),
    };
    const optimizers = { actor: this.optimizers.actor.getState(), critic: this.optimizers.critic.getState() };
    if (this.entOpt) weights.logEntCoef = this.entOpt.logEntCoef.slice();
    return this.bundle({
      weights,
      optimizers: this.entOpt ? { ...optimizers, entCoef: this.entOpt.optimizer.getState() } : optimizers,
      normalizers: {},
      state: { entCoef: this.entCoef },
      ...(options.replayBuffer ? { replayBuffer: encodeReplayBuffer(this.replay.getState()) } : {}),
    });
  }

  /** Rebuilds a model from {@link save}'s bundle; mismatches throw `RlError('CHECKPOINT')` naming the field. */
  static load(bundle: CheckpointBundle | unknown, options: SacLoadOptions = {}): Sac {
    return BaseAlgorithm.fromBundle(bundle, 'sac', options, SCHEDULES, (o) => new Sac(o as SacOptions));
  }

  protected readParts(b: CheckpointBundle, who: string): void {
    const p = this.policy;
    for (const group of ['actor', 'critic', 'criticTarget'] as const satisfies readonly SacParamGroup[]) {
      p.set(group, bundleWeights(b, group, p.params[group].length, who));
    }
    if (this.entOpt) this.entOpt.logEntCoef.set(bundleWeights(b, 'logEntCoef', 1, who));
    for (const group of ['actor', 'critic'] as const) {
      const optimizer = this.optimizers[group];
      optimizer.setState(bundleAdamState(b, group, optimizer.tensorSizes, who));
    }
    if (this.entOpt) {
      this.entOpt.optimizer.setState(bundleAdamState(b, 'entCoef', [1], who));
      this.entCoef = Math.exp(this.entOpt.logEntCoef[0]!);
    }
    if (b.replayBuffer) this.replay.setState(decodeReplayBuffer(b.replayBuffer, this.obsDim, this.actDim));
  }

  protected free(): void {
    this.optimizers.actor.dispose();
    this.optimizers.critic.dispose();
    this.policy.dispose();
    this.entOpt?.optimizer.dispose();
  }
}
