/**
 * What PPO and SAC share, SB3's `BaseAlgorithm` (`stable_baselines3/common/base_class.py`):
 * the validated options and the spaces, the training env, `learn`'s guards and progress
 * records, the checks on what the env returns and on `predict`'s input, checkpoints (the
 * bundle's common fields, and `load`'s validation and error wrapping) and `dispose`. Each
 * algorithm adds its own networks and storage, its learning loop and update, and the parts of
 * the checkpoint that hold them (`save`, and `readParts` for `load`).
 */
import type { z } from 'zod';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointBundle,
  type EncodedReplayBuffer,
  RL_CORE_VERSION,
  sealCheckpoint,
  validateCheckpoint,
} from '../checkpoint/bundle.js';
import { encodeAdamState, encodeFloat32, encodeSpace } from '../checkpoint/encode.js';
import { bundleSpaces } from '../checkpoint/read.js';
import type { Env, VecEnv, VecStepResult } from '../env.js';
import { RlError } from '../errors.js';
import type { AdamState } from '../optim/adam.js';
import { Rng, type RngState } from '../random.js';
import { type Space, spaceMismatch, spaceSize } from '../spaces.js';
import { toVecEnv } from '../vec-env.js';
import { EpisodeStats } from './episode-stats.js';
import { decodeSchedule, type EncodedSchedule, encodeSchedule, type Schedule } from './schedule.js';
import type { LearnProgress } from './stats.js';

/** Options of `predict`. */
export interface PredictOptions {
  /** Mean / argmax action instead of a sample (default false, as SB3). */
  deterministic?: boolean;
}

/** What every `learn` takes. */
export interface BaseLearnOptions {
  /** Env steps to train for. */
  totalTimesteps: number;
  /** SB3's `reset_num_timesteps` (default true): false continues the step count and the schedule. */
  resetNumTimesteps?: boolean;
}

/** What an algorithm's constructor takes besides its config. */
export interface BaseOptions {
  env?: Env | VecEnv;
  observationSpace?: Space;
  actionSpace?: Space;
}

/** The parts of a checkpoint an algorithm saves beside the common fields. */
export interface CheckpointParts {
  weights: Record<string, Float32Array>;
  optimizers: Record<string, AdamState>;
  normalizers: Record<string, unknown>;
  /** Counters besides `nUpdates` and `progressRemaining` (e.g. SAC's entropy coefficient). */
  state: Record<string, unknown>;
  replayBuffer?: EncodedReplayBuffer;
}

/** Parses `input` with `schema`; a failure becomes `RlError('CONFIG')` naming the field. */
function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'options';
    throw new RlError('CONFIG', `${what}: invalid option "${field}": ${issue?.message ?? 'invalid'}`, {
      field,
    });
  }
  return parsed.data;
}

/** Index of the first non-finite value, or -1. */
function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

/**
 * @example
 * class MyAlgo extends BaseAlgorithm<MyConfig, BaseLearnOptions, MyStats> { … }
 */
export abstract class BaseAlgorithm<C extends { seed: number }, L extends BaseLearnOptions, S> {
  /** The resolved options (SB3 defaults filled in). */
  readonly config: C;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  protected env: VecEnv | null = null;
  protected readonly obsDim: number;
  protected readonly rng: Rng;
  protected readonly episodes = new EpisodeStats();
  protected lastObs: Float32Array | null = null;
  protected numTimesteps = 0;
  protected nUpdates = 0;
  protected progressRemaining = 1;
  protected envSeeded = false;
  protected disposed = false;
  protected learning = false;

  /**
   * Validates `options` with `schema` and resolves the spaces (from the env, or given for an
   * inference-only model); `who` names the algorithm in errors, and the config's `schedules`
   * are stored in checkpoints as {@link EncodedSchedule}s. Call `setEnv` at the end of the
   * subclass's constructor.
   */
  protected constructor(
    private readonly who: 'Ppo' | 'Sac',
    schema: z.ZodType,
    options: BaseOptions,
    private readonly schedules: readonly string[],
  ) {
    const { env, observationSpace, actionSpace, ...rest } = options ?? ({} as BaseOptions);
    this.config = parseOptions(schema, rest, who) as C;
    const obsSpace = env?.observationSpace ?? observationSpace;
    const actSpace = env?.actionSpace ?? actionSpace;
    if (!obsSpace || !actSpace) {
      throw new RlError(
        'CONFIG',
        `${who}: pass env (or observationSpace and actionSpace for inference only)`,
        {
          field: 'env',
        },
      );
    }
    if (obsSpace.kind !== 'box') {
      throw new RlError('CONFIG', `${who}: observationSpace must be a Box`, { field: 'observationSpace' });
    }
    this.observationSpace = obsSpace;
    this.actionSpace = actSpace;
    this.obsDim = spaceSize(obsSpace);
    this.rng = new Rng(this.config.seed);
  }

  /** Env steps taken so far (SB3 `num_timesteps`). */
  get timesteps(): number {
    return this.numTimesteps;
  }

  /** Swaps the training env (same spaces; e.g. a fresh data window for online retraining). */
  setEnv(env: Env | VecEnv): void {
    this.assertAlive();
    if (this.learning) throw new RlError('STATE', `${this.who}.setEnv: not while learn() is running`);
    for (const [name, a, b] of [
      ['observationSpace', env.observationSpace, this.observationSpace],
      ['actionSpace', env.actionSpace, this.actionSpace],
    ] as const) {
      const why = spaceMismatch(a, b);
      if (why) {
        throw new RlError(
          'CONFIG',
          `${this.who}.setEnv: the env's ${name} differs from the model's (${why})`,
          {
            field: name,
          },
        );
      }
    }
    const venv = toVecEnv(env);
    this.attachEnv(venv);
    this.env = venv;
    this.lastObs = null;
  }

  /**
   * Trains for `totalTimesteps` env steps. Rejects with `RlError('NAN')` if a reward,
   * observation, loss or gradient is not finite (the bad update is not applied),
   * `RlError('STATE')` without an env or after dispose.
   */
  async learn(options: L): Promise<LearnProgress<S>> {
    this.assertAlive();
    const { totalTimesteps } = options;
    if (!Number.isInteger(totalTimesteps) || totalTimesteps < 1) {
      throw new RlError(
        'CONFIG',
        `${this.who}.learn: totalTimesteps must be a positive integer, got ${totalTimesteps}`,
        { field: 'totalTimesteps' },
      );
    }
    if (!this.env)
      throw new RlError('STATE', `${this.who}.learn: no env; pass one to the constructor or setEnv()`);
    if (this.learning)
      throw new RlError('STATE', `${this.who}.learn: already running; await the previous call`);
    this.learning = true;
    try {
      return await this.learnLoop(options);
    } finally {
      this.learning = false;
    }
  }

  /** The model as a checkpoint bundle; throws `RlError('NAN')` rather than save non-finite weights. */
  protected bundle(parts: CheckpointParts): CheckpointBundle {
    for (const [name, w] of Object.entries(parts.weights)) {
      const bad = firstNonFinite(w);
      if (bad >= 0) {
        throw new RlError('NAN', `${this.who}.save: ${name}[${bad}] is ${w[bad]}; not saving`, {
          field: `weights.${name}`,
        });
      }
    }
    const config: Record<string, unknown> = { ...this.config };
    for (const key of this.schedules) {
      delete config[key];
      config[key] = encodeSchedule(this.config[key as keyof C] as Schedule, this.progressRemaining);
    }
    return sealCheckpoint({
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      algo: this.who === 'Ppo' ? 'ppo' : 'sac',
      rlCoreVersion: RL_CORE_VERSION,
      createdAt: new Date().toISOString(),
      config,
      spaces: { observation: encodeSpace(this.observationSpace), action: encodeSpace(this.actionSpace) },
      weights: Object.fromEntries(Object.entries(parts.weights).map(([k, w]) => [k, encodeFloat32(w)])),
      optimizers: Object.fromEntries(
        Object.entries(parts.optimizers).map(([k, s]) => [k, encodeAdamState(s)]),
      ),
      normalizers: parts.normalizers,
      rng: [...this.rng.getState()],
      timesteps: this.numTimesteps,
      state: { nUpdates: this.nUpdates, ...parts.state, progressRemaining: this.progressRemaining },
      ...(parts.replayBuffer ? { replayBuffer: parts.replayBuffer } : {}),
    });
  }

  /**
   * Rebuilds a model from a bundle: validates it, builds the model from its config (schedules
   * decoded unless `options` re-supplies them) and spaces, has the model read its parts
   * ({@link readParts}), then the counters and the RNG. Anything that does not fit throws
   * `RlError('CHECKPOINT')` naming the field, and no half-loaded model survives.
   */
  protected static fromBundle<M extends BaseAlgorithm<{ seed: number }, BaseLearnOptions, unknown>>(
    bundle: unknown,
    algo: 'ppo' | 'sac',
    options: { env?: Env | VecEnv | undefined },
    schedules: readonly string[],
    build: (options: Record<string, unknown>) => M,
  ): M {
    const who = algo === 'ppo' ? 'Ppo.load' : 'Sac.load';
    const b = validateCheckpoint(bundle, algo);
    const spaces = bundleSpaces(b, options.env, who);
    const config: Record<string, unknown> = { ...b.config };
    for (const key of schedules) {
      const given = (options as Record<string, unknown>)[key];
      config[key] = given ?? decodeSchedule(config[key] as EncodedSchedule);
    }
    let model: M;
    try {
      model = build({ ...config, ...spaces });
    } catch (cause) {
      throw new RlError('CHECKPOINT', `${who}: ${(cause as Error).message}`, {
        field: `config.${(cause as RlError).field ?? ''}`,
        cause,
      });
    }
    try {
      model.readParts(b, who);
      model.rng.setState(b.rng as unknown as RngState);
      model.numTimesteps = b.timesteps;
      model.nUpdates = Number(b.state.nUpdates ?? 0);
      model.progressRemaining = Number(b.state.progressRemaining ?? 1);
      model.envSeeded = true;
      if (options.env) model.setEnv(options.env);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** Frees the model's memory (the env is not closed). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.free();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Readies the algorithm's storage for `env` (called by `setEnv` before it takes the env). */
  protected abstract attachEnv(env: VecEnv): void;

  /** The learning loop, after `learn`'s checks. */
  protected abstract learnLoop(options: L): Promise<LearnProgress<S>>;

  /** Reads the algorithm's parts of a validated bundle (weights, optimisers, normalisers, …). */
  protected abstract readParts(b: CheckpointBundle, who: string): void;

  /** Frees the networks' and optimisers' memory. */
  protected abstract free(): void;

  /** Throws `RlError('STATE')` after `dispose()`. */
  protected assertAlive(): void {
    if (this.disposed) throw new RlError('STATE', `${this.who} was disposed`);
  }

  /** The env's first observations: seeded on the model's first reset (SB3 seeds once), not after. */
  protected resetEnv(): Float32Array {
    const env = this.env!;
    const { obs } = this.envSeeded ? env.reset() : env.reset({ seed: this.config.seed });
    this.envSeeded = true;
    this.checkObs(obs, 'reset');
    return obs;
  }

  /** Throws `RlError('NAN')` at a non-finite reward or observation of an env step. */
  protected checkStep(step: VecStepResult): void {
    const bad = firstNonFinite(step.rewards);
    if (bad >= 0) {
      throw new RlError(
        'NAN',
        `${this.who}: env ${bad} returned a non-finite reward (${step.rewards[bad]}) at step ${this.numTimesteps}`,
        { field: 'reward' },
      );
    }
    this.checkObs(step.obs, 'step');
  }

  private checkObs(obs: Float32Array, where: string): void {
    const bad = firstNonFinite(obs);
    if (bad >= 0) {
      throw new RlError(
        'NAN',
        `${this.who}: the env returned a non-finite observation (${obs[bad]}) at ${where}, step ${this.numTimesteps}`,
        { field: 'obs' },
      );
    }
  }

  /** How many observations of `obsDim` values `obs` holds; `RlError('SHAPE')` if not a whole number. */
  protected batchOf(obs: ArrayLike<number>): number {
    this.assertAlive();
    const n = obs.length / this.obsDim;
    if (!Number.isInteger(n) || n < 1) {
      throw new RlError(
        'SHAPE',
        `${this.who}.predict: ${obs.length} values is not a multiple of obsDim ${this.obsDim}`,
        { field: 'obs' },
      );
    }
    return n;
  }

  /** The record a `learn` callback receives. */
  protected progressRecord(
    target: number,
    iteration: number,
    sps: number,
    train: S | null,
  ): LearnProgress<S> {
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
}

/** Lets timers and I/O run between training iterations. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
