/**
 * SAC options with SB3 v2.4 defaults (`stable_baselines3/sac/sac.py`), validated once at the
 * boundary. `SacOptions` is what callers pass; `SacConfig` the resolved config.
 */
import { z } from 'zod';
import type { Env, VecEnv } from '../env.js';
import type { Space } from '../spaces.js';
import { policyOptionsSchema } from './ppo-config.js';
import type { Schedule } from './schedule.js';

const positiveInt = z.number().int().positive();

/**
 * The zod schema of {@link SacOptions} (everything except `env` and the spaces).
 * @example
 * sacConfigSchema.parse({}).tau; // 0.005
 */
export const sacConfigSchema = z
  .object({
    seed: z.number().int().default(0),
    /**
     * `policy.items` makes the actor and both critics per-item shared encoders (`netArch` is
     * then the per-item networks' hidden widths); see `policies/sac-policy.ts`.
     */
    policy: policyOptionsSchema.prefault({}),
    learningRate: z
      .union([
        z.number().positive(),
        z.custom<(p: number) => number>((v) => typeof v === 'function', 'expected a number or a function'),
      ])
      .default(3e-4),
    bufferSize: positiveInt.default(1_000_000),
    learningStarts: z.number().int().nonnegative().default(100),
    batchSize: positiveInt.default(256),
    tau: z.number().min(0).max(1).default(0.005),
    gamma: z.number().min(0).max(1).default(0.99),
    /** Env steps (per env) between training phases. */
    trainFreq: positiveInt.default(1),
    /** Gradient steps per training phase; −1 = as many as env steps collected. */
    gradientSteps: z
      .number()
      .int()
      .min(-1)
      .refine((n) => n !== 0, 'must be −1 or a positive integer')
      .default(1),
    /** `'auto'` (learned, init 1), `'auto_0.1'` (learned, init 0.1) or a fixed coefficient. */
    entCoef: z
      .union([
        z.number().positive(),
        z.string().regex(/^auto(_\d*\.?\d+(e-?\d+)?)?$/, "expected 'auto', 'auto_<init>' or a number"),
      ])
      .default('auto'),
    /** `'auto'` = −dim(A) (Haarnoja et al. 2018), or a number. */
    targetEntropy: z.union([z.literal('auto'), z.number()]).default('auto'),
    targetUpdateInterval: positiveInt.default(1),
    adamEps: z.number().positive().default(1e-8),
  })
  .strict();

/** The resolved SAC config (`sac.config`). */
export type SacConfig = Omit<z.output<typeof sacConfigSchema>, 'learningRate'> & { learningRate: Schedule };

/** What `new Sac(options)` accepts. */
export type SacOptions = Omit<z.input<typeof sacConfigSchema>, 'learningRate'> & {
  /** The training env (Box actions). Optional for inference-only models, then give the spaces. */
  env?: Env | VecEnv;
  observationSpace?: Space;
  actionSpace?: Space;
  learningRate?: Schedule;
};
