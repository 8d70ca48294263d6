/**
 * PPO options with SB3 v2.4 defaults (`stable_baselines3/ppo/ppo.py`, `MlpPolicy`), validated
 * once at the boundary. `PpoOptions` is what callers pass; `PpoConfig` the resolved config.
 */
import { z } from 'zod';
import type { Env, VecEnv } from '../env.js';
import type { Space } from '../spaces.js';
import type { Schedule } from './schedule.js';

const positiveInt = z.number().int().positive();
const schedule = z.union([
  z.number().positive(),
  z.custom<(p: number) => number>((v) => typeof v === 'function', 'expected a number or a function'),
]);

/** Network options shared by PPO and SAC. */
export const policyOptionsSchema = z
  .object({
    /** Hidden layer widths; one array for both networks, or `{ pi, vf }` (PPO) / `{ pi, qf }` (SAC). */
    netArch: z
      .union([
        z.array(positiveInt),
        z.object({
          pi: z.array(positiveInt),
          vf: z.array(positiveInt).optional(),
          qf: z.array(positiveInt).optional(),
        }),
      ])
      .optional(),
    activation: z.enum(['tanh', 'relu']).optional(),
    /** Initial log-std of the Gaussian policy (PPO, SB3 `log_std_init`). */
    logStdInit: z.number().default(0),
    /** Orthogonal init with SB3's gains (PPO, SB3 `ortho_init`). */
    orthoInit: z.boolean().default(true),
    /**
     * Box actions: `gaussian` (PPO: SB3's samples clipped to the Box; SAC: tanh-squashed and
     * scaled to the Box) or `logistic-normal`
     * (a Gaussian over logits; the env gets softmax weights in [0, 1] with Σ ≤ 1, the rest
     * being e.g. cash: see `logisticNormalWeights`).
     */
    distribution: z.enum(['gaussian', 'logistic-normal']).default('gaussian'),
    /**
     * SAC with the logistic-normal: the logits are the tanh-squashed actions × this bound, so
     * two weights differ by at most a factor e^(2·bound).
     */
    logitBound: z.number().positive().default(5),
    /**
     * With the logistic-normal: the fixed logit of the rest (cash) slot, 0 by default. A cash
     * bias (EIIE's): above 0 the policy's neutral output (logits 0, where SAC's entropy bonus
     * and PPO's initial policy sit) holds mostly the rest; each of D weights is 1 / (D + e^c).
     */
    cashLogit: z.number().finite().default(0),
    /**
     * PPO and SAC: per-item shared encoders for observations laid out as `items` blocks of
     * `itemDim` features then `globalDim` shared features; one action per item (EIIE-style
     * scoring). `netArch` then sizes the per-item networks.
     */
    items: z
      .object({
        items: positiveInt,
        itemDim: positiveInt,
        globalDim: z.number().int().nonnegative(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((p) => p.cashLogit === 0 || p.distribution === 'logistic-normal', {
    path: ['cashLogit'],
    message:
      "cashLogit is the logistic-normal's cash bias; set policy.distribution to 'logistic-normal' or leave cashLogit at 0",
  });

/**
 * The zod schema of {@link PpoOptions} (everything except `env` and the spaces).
 * @example
 * ppoConfigSchema.parse({ nSteps: 512 }).batchSize; // 64
 */
export const ppoConfigSchema = z
  .object({
    seed: z.number().int().default(0),
    policy: policyOptionsSchema.prefault({}),
    learningRate: schedule.default(3e-4),
    nSteps: positiveInt.default(2048),
    batchSize: positiveInt.default(64),
    nEpochs: positiveInt.default(10),
    gamma: z.number().min(0).max(1).default(0.99),
    gaeLambda: z.number().min(0).max(1).default(0.95),
    clipRange: schedule.default(0.2),
    clipRangeVf: z.number().positive().nullable().default(null),
    normalizeAdvantage: z.boolean().default(true),
    entCoef: z.number().default(0),
    vfCoef: z.number().min(0).default(0.5),
    maxGradNorm: z.number().positive().default(0.5),
    targetKl: z.number().positive().nullable().default(null),
    normalizeObs: z.boolean().default(false),
    normalizeReward: z.boolean().default(false),
    clipObs: z.number().positive().default(10),
    clipReward: z.number().positive().default(10),
    /** Adam ε; SB3's ActorCriticPolicy uses 1e-5 (torch's default is 1e-8). */
    adamEps: z.number().positive().default(1e-5),
  })
  .strict()
  .refine((c) => c.batchSize > 1 || !c.normalizeAdvantage, {
    message: 'batchSize must be > 1 when normalizeAdvantage is true',
    path: ['batchSize'],
  });

/** The resolved PPO config (`ppo.config`). */
export type PpoConfig = Omit<z.output<typeof ppoConfigSchema>, 'learningRate' | 'clipRange'> & {
  learningRate: Schedule;
  clipRange: Schedule;
};

/** What `new Ppo(options)` accepts. */
export type PpoOptions = Omit<z.input<typeof ppoConfigSchema>, 'learningRate' | 'clipRange'> & {
  /** The training env (single or vectorised). Optional for inference-only models, then give the spaces. */
  env?: Env | VecEnv;
  observationSpace?: Space;
  actionSpace?: Space;
  learningRate?: Schedule;
  clipRange?: Schedule;
};
