/**
 * Soft Actor-Critic with twin Q critics, Polyak target networks and an automatically tuned
 * entropy coefficient (Haarnoja et al. 2018, arXiv:1801.01290 and arXiv:1812.05905),
 * following SB3 v2.4 `stable_baselines3/sac/sac.py` and `common/off_policy_algorithm.py`:
 * random actions until `learningStarts`, then every `trainFreq` env steps `gradientSteps`
 * updates of: critic (soft Bellman target from the target critics) → actor (reparameterised,
 * through the updated critic) → entropy coefficient (towards −dim A) → Polyak update.
 * Terminations stop the bootstrap; truncations do not (the real last observation is stored).
 */

import { ReplayBuffer, type ReplayBufferState } from '../buffers/replay-buffer.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointBundle,
  decodeFloat32,
  type EncodedAdamState,
  type EncodedReplayBuffer,
  encodeFloat32,
  encodeSpace,
  RL_CORE_VERSION,
  sealCheckpoint,
  validateCheckpoint,
} from '../checkpoint.js';
import { assertWeightSpace } from '../distributions/logistic-normal.js';
import { squashedGaussianBackward } from '../distributions/squashed-gaussian.js';
import type { Env, VecEnv } from '../env.js';
import { RlError } from '../errors.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { sacActorLoss, sacCriticLoss, sacEntCoefLoss, sacSoftTarget } from '../losses/sac-loss.js';
import { Adam, type AdamState } from '../optim/adam.js';
import { type SacParamGroup, SacPolicy } from '../policies/sac-policy.js';
import { Rng, type RngState } from '../random.js';
import { type BoxSpace, type Space, spaceMismatch, spaceSize } from '../spaces.js';
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
import type { PredictOptions } from './ppo.js';
import { type SacConfig, type SacOptions, sacConfigSchema } from './sac-config.js';
import {
  decodeSchedule,
  type EncodedSchedule,
  encodeSchedule,
  type Schedule,
  scheduleValue,
} from './schedule.js';
import type { SacProgress, SacTrainStats } from './stats.js';

/** torch's Adam defaults (SB3's SAC passes only the learning rate). */
const ADAM = { beta1: 0.9, beta2: 0.999 } as const;

/** Options of {@link Sac.learn}. */
export interface SacLearnOptions {
  totalTimesteps: number;
  /** Called every `callbackEvery` env steps; return `false` to stop. */
  callback?: (progress: SacProgress) => unknown;
  /** Env steps between callbacks (default 1000). */
  callbackEvery?: number;
  /** SB3's `reset_num_timesteps` (default true). */
  resetNumTimesteps?: boolean;
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
 * @example
 * await initBackend();
 * const sac = new Sac({ env: new Pendulum(), seed: 0 });
 * await sac.learn({ totalTimesteps: 20_000 });
 * const action = sac.predict(obs, { deterministic: true }); // Float32Array in the action bounds
 * sac.dispose();
 */
export class Sac {
  readonly config: SacConfig;
  readonly observationSpace: Space;
  readonly actionSpace: BoxSpace;
  private env: VecEnv | null = null;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly policy: SacPolicy;
  /** Adam on the actor's and on the critics' parameters, moments in kernel memory beside them. */
  private readonly optimizers: { actor: Adam; critic: Adam };
  /** log α and its optimiser when α is learned (`entCoef: 'auto…'`), else null. */
  private readonly entOpt: { logEntCoef: Float32Array; optimizer: Adam } | null;
  private entCoef: number;
  private readonly targetEntropy: number;
  private readonly rng: Rng;
  private readonly replay: ReplayBuffer;
  private lastObs: Float32Array | null = null;
  private readonly episodes = new EpisodeStats();
  private numTimesteps = 0;
  private nUpdates = 0;
  private progressRemaining = 1;
  private envSeeded = false;
  private disposed = false;
  private learning = false;
  /** Sums of the training statistics since the last report. */
  private statSums = { criticLoss: 0, actorLoss: 0, entCoefLoss: 0, logProb: 0 };
  private statCount = 0;

  constructor(options: SacOptions) {
    const { env, observationSpace, actionSpace, ...rest } = options ?? ({} as SacOptions);
    this.config = parseOptions(sacConfigSchema, rest, 'Sac') as SacConfig;
    const obsSpace = env?.observationSpace ?? observationSpace;
    const actSpace = env?.actionSpace ?? actionSpace;
    if (!obsSpace || !actSpace) {
      throw new RlError('CONFIG', 'Sac: pass env (or observationSpace and actionSpace for inference only)', {
        field: 'env',
      });
    }
    if (obsSpace.kind !== 'box')
      throw new RlError('CONFIG', 'Sac: observationSpace must be a Box', { field: 'observationSpace' });
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
    if (this.config.policy.distribution === 'logistic-normal') assertWeightSpace(actSpace, 'Sac');
    this.observationSpace = obsSpace;
    this.actionSpace = actSpace;
    this.obsDim = spaceSize(obsSpace);
    this.actDim = spaceSize(actSpace);
    const c = this.config;
    const arch = c.policy.netArch;
    const netArch = Array.isArray(arch)
      ? { pi: arch, qf: arch }
      : { pi: arch?.pi ?? [256, 256], qf: arch?.qf ?? arch?.pi ?? [256, 256] };
    this.rng = new Rng(c.seed);
    this.policy = new SacPolicy({
      obsDim: this.obsDim,
      actDim: this.actDim,
      netArch,
      activation: c.policy.activation ?? 'relu',
      rng: this.rng.fork(),
      maxBatch: c.batchSize,
      distribution: c.policy.distribution,
      logitBound: c.policy.logitBound,
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
    if (env) this.setEnv(env);
  }

  /** Env steps taken so far. */
  get timesteps(): number {
    return this.numTimesteps;
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
    assertAlive(this.disposed, 'Sac');
    return this.replay.getState();
  }

  /** Replaces the replay buffer with {@link getReplayBuffer}'s output; a shape mismatch throws `RlError('CHECKPOINT')` and changes nothing. */
  setReplayBuffer(state: ReplayBufferState): void {
    assertAlive(this.disposed, 'Sac');
    if (this.learning) throw new RlError('STATE', 'Sac.setReplayBuffer: not while learn() is running');
    this.replay.setState(state);
  }

  /** Swaps the training env (same spaces); the replay buffer is kept. */
  setEnv(env: Env | VecEnv): void {
    assertAlive(this.disposed, 'Sac');
    if (this.learning) throw new RlError('STATE', 'Sac.setEnv: not while learn() is running');
    for (const [name, a, b] of [
      ['observationSpace', env.observationSpace, this.observationSpace],
      ['actionSpace', env.actionSpace, this.actionSpace],
    ] as const) {
      const why = spaceMismatch(a, b);
      if (why)
        throw new RlError('CONFIG', `Sac.setEnv: the env's ${name} differs from the model's (${why})`, {
          field: name,
        });
    }
    this.env = toVecEnv(env);
    this.lastObs = null;
  }

  /** Trains for `totalTimesteps` env steps; rejects with `RlError('NAN')` on a non-finite loss. */
  async learn(options: SacLearnOptions): Promise<SacProgress> {
    assertAlive(this.disposed, 'Sac');
    const { totalTimesteps, callback, callbackEvery = 1000, resetNumTimesteps = true } = options;
    if (!Number.isInteger(totalTimesteps) || totalTimesteps < 1) {
      throw new RlError(
        'CONFIG',
        `Sac.learn: totalTimesteps must be a positive integer, got ${totalTimesteps}`,
        {
          field: 'totalTimesteps',
        },
      );
    }
    const env = this.env;
    if (!env) throw new RlError('STATE', 'Sac.learn: no env; pass one to the constructor or setEnv()');
    if (this.learning) throw new RlError('STATE', 'Sac.learn: already running; await the previous call');
    this.learning = true;
    try {
      return await this.learnLoop(totalTimesteps, resetNumTimesteps, callback, callbackEvery);
    } finally {
      this.learning = false;
    }
  }

  private async learnLoop(
    totalTimesteps: number,
    resetNumTimesteps: boolean,
    callback: SacLearnOptions['callback'],
    callbackEvery: number,
  ): Promise<SacProgress> {
    const env = this.env!;
    if (resetNumTimesteps) this.numTimesteps = 0;
    const target = this.numTimesteps + totalTimesteps;
    if (resetNumTimesteps || this.lastObs === null) {
      this.lastObs = (this.envSeeded ? env.reset() : env.reset({ seed: this.config.seed })).obs;
      this.envSeeded = true;
    }
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
        assertAlive(this.disposed, 'Sac');
      }
    }
    return progress;
  }

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
    const bad = firstNonFinite(step.rewards);
    if (bad >= 0) {
      throw new RlError(
        'NAN',
        `Sac: env ${bad} returned a non-finite reward (${step.rewards[bad]}) at step ${this.numTimesteps}`,
        {
          field: 'reward',
        },
      );
    }
    if (firstNonFinite(step.obs) >= 0) {
      throw new RlError(
        'NAN',
        `Sac: the env returned a non-finite observation at step ${this.numTimesteps}`,
        { field: 'obs' },
      );
    }
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
    assertAlive(this.disposed, 'Sac');
    const n = obs.length / this.obsDim;
    if (!Number.isInteger(n) || n < 1) {
      throw new RlError(
        'SHAPE',
        `Sac.predict: ${obs.length} values is not a multiple of obsDim ${this.obsDim}`,
        {
          field: 'obs',
        },
      );
    }
    const squashed = this.policy.act(obs, n, this.rng, options.deterministic ?? false);
    return this.policy.envActions(squashed, this.actionSpace);
  }

  /**
   * The model as a checkpoint bundle. The replay buffer is included only when asked for
   * (`{ replayBuffer: true }`, SB3's `save_replay_buffer`): it can be far larger than the
   * networks, and a warm start without it refills from new experience.
   */
  save(options: SacSaveOptions = {}): CheckpointBundle {
    assertAlive(this.disposed, 'Sac');
    const weights: Record<string, Float32Array> = {
      actor: this.policy.get('actor'),
      critic: this.policy.get('critic'),
      criticTarget: this.policy.get('criticTarget'),
    };
    if (this.entOpt) weights.logEntCoef = this.entOpt.logEntCoef.slice();
    for (const [name, w] of Object.entries(weights)) {
      const bad = firstNonFinite(w);
      if (bad >= 0)
        throw new RlError('NAN', `Sac.save: ${name}[${bad}] is ${w[bad]}; not saving`, {
          field: `weights.${name}`,
        });
    }
    const enc = (s: AdamState): EncodedAdamState => ({
      step: s.step,
      m: s.m.map((x) => encodeFloat32(x)),
      v: s.v.map((x) => encodeFloat32(x)),
    });
    const optimizers: Record<string, EncodedAdamState> = {
      actor: enc(this.optimizers.actor.getState()),
      critic: enc(this.optimizers.critic.getState()),
    };
    if (this.entOpt) optimizers.entCoef = enc(this.entOpt.optimizer.getState());
    const { learningRate, ...rest } = this.config;
    return sealCheckpoint({
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      algo: 'sac',
      rlCoreVersion: RL_CORE_VERSION,
      createdAt: new Date().toISOString(),
      config: { ...rest, learningRate: encodeSchedule(learningRate, this.progressRemaining) },
      spaces: { observation: encodeSpace(this.observationSpace), action: encodeSpace(this.actionSpace) },
      weights: Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, encodeFloat32(w)])),
      optimizers,
      normalizers: {},
      rng: [...this.rng.getState()],
      timesteps: this.numTimesteps,
      state: { nUpdates: this.nUpdates, entCoef: this.entCoef, progressRemaining: this.progressRemaining },
      ...(options.replayBuffer ? { replayBuffer: this.encodeReplayBuffer() } : {}),
    });
  }

  private encodeReplayBuffer(): EncodedReplayBuffer {
    const s = this.replay.getState();
    return {
      capacity: s.capacity,
      pos: s.pos,
      size: s.size,
      obs: encodeFloat32(s.obs, [s.size, s.obsDim]),
      actions: encodeFloat32(s.actions, [s.size, s.actDim]),
      rewards: encodeFloat32(s.rewards),
      nextObs: encodeFloat32(s.nextObs, [s.size, s.obsDim]),
      dones: encodeFloat32(s.dones),
    };
  }

  /** Rebuilds a model from {@link save}'s bundle; mismatches throw `RlError('CHECKPOINT')` naming the field. */
  static load(bundle: CheckpointBundle | unknown, options: SacLoadOptions = {}): Sac {
    const b = validateCheckpoint(bundle, 'sac');
    const { observationSpace, actionSpace } = bundleSpaces(b, options.env, 'Sac.load');
    const cfg = b.config as Record<string, unknown>;
    let sac: Sac;
    try {
      sac = new Sac({
        ...(cfg as SacOptions),
        learningRate: options.learningRate ?? decodeSchedule(cfg.learningRate as EncodedSchedule),
        observationSpace,
        actionSpace,
      });
    } catch (cause) {
      throw new RlError('CHECKPOINT', `Sac.load: ${(cause as Error).message}`, {
        field: `config.${(cause as RlError).field ?? ''}`,
        cause,
      });
    }
    try {
      const p = sac.policy;
      const groups: Array<[string, number]> = [
        ['actor', p.params.actor.length],
        ['critic', p.params.critic.length],
        ['criticTarget', p.params.criticTarget.length],
      ];
      if (sac.entOpt) groups.push(['logEntCoef', 1]);
      for (const [name, size] of groups) {
        const w = bundleWeights(b, name, size, 'Sac.load');
        if (name === 'logEntCoef') sac.entOpt!.logEntCoef.set(w);
        else p.set(name as SacParamGroup, w);
      }
      for (const group of ['actor', 'critic'] as const) {
        const optimizer = sac.optimizers[group];
        optimizer.setState(bundleAdamState(b, group, optimizer.tensorSizes, 'Sac.load'));
      }
      if (sac.entOpt) {
        sac.entOpt.optimizer.setState(bundleAdamState(b, 'entCoef', [1], 'Sac.load'));
        sac.entCoef = Math.exp(sac.entOpt.logEntCoef[0]!);
      }
      sac.rng.setState(b.rng as unknown as RngState);
      sac.numTimesteps = b.timesteps;
      sac.nUpdates = Number(b.state.nUpdates ?? 0);
      sac.progressRemaining = Number(b.state.progressRemaining ?? 1);
      sac.envSeeded = true;
      const rb = b.replayBuffer;
      if (rb) {
        const dec = (name: 'obs' | 'actions' | 'rewards' | 'nextObs' | 'dones', dim: number) =>
          decodeFloat32(rb[name], `replayBuffer.${name}`, rb.size * dim);
        sac.replay.setState({
          capacity: rb.capacity,
          obsDim: sac.obsDim,
          actDim: sac.actDim,
          pos: rb.pos,
          size: rb.size,
          obs: dec('obs', sac.obsDim),
          actions: dec('actions', sac.actDim),
          rewards: dec('rewards', 1),
          nextObs: dec('nextObs', sac.obsDim),
          dones: dec('dones', 1),
        });
      }
      if (options.env) sac.setEnv(options.env);
    } catch (e) {
      sac.dispose();
      throw e;
    }
    return sac;
  }

  /** Frees the model's memory (the env is not closed). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizers.actor.dispose();
    this.optimizers.critic.dispose();
    this.policy.dispose();
    this.entOpt?.optimizer.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
