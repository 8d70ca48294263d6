/**
 * @marlts/rl-core — PPO, SAC and GAE, trained and run on rl-core's WebAssembly SIMD kernels.
 *
 * This file is the table of contents of the public API, in SB3's layering: algorithms,
 * then the policies' parts (networks, optimiser, distributions), storage, maths, and the
 * environment contracts. The TensorFlow.js reference implementations (`…T`) are in
 * `./testing.ts`. `./setup.js` must stay the first import: it registers tfjs gradients and
 * chained ops for the `tf` exported here (their types reach the published declarations
 * through the reference tsup.config.ts puts at the top of each).
 */
import './setup.js';

// tfjs itself, the same instance rl-core uses (for tf.grad, tf.tidy, tf.memory …)
export * as tf from '@tensorflow/tfjs-core';

// Backends
export { activeBackend, initBackend } from './backend.js';
export type { BackendName, InitBackendOptions } from './backend.js';
export { kernelVariant, numThreads, setNumThreads } from './kernels/wasm-kernels.js';
export type { KernelVariant } from './kernels/module.js';

// Algorithms
export { Ppo } from './algos/ppo.js';
export type { PredictOptions } from './algos/base-algorithm.js';
export type { PpoLearnOptions, PpoLoadOptions } from './algos/ppo.js';
export { ppoConfigSchema } from './algos/ppo-config.js';
export type { PpoConfig, PpoOptions } from './algos/ppo-config.js';
export { Sac } from './algos/sac.js';
export type { SacLearnOptions, SacLoadOptions, SacSaveOptions } from './algos/sac.js';
export { sacConfigSchema } from './algos/sac-config.js';
export type { SacConfig, SacOptions } from './algos/sac-config.js';
export { linearSchedule } from './algos/schedule.js';
export type { EncodedSchedule, Schedule } from './algos/schedule.js';
export type { LearnProgress, PpoProgress, PpoTrainStats, SacProgress, SacTrainStats } from './algos/stats.js';

// Checkpoints (one versioned, validated bundle; atomic files)
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointChecksum,
  RL_CORE_VERSION,
  validateCheckpoint,
} from './checkpoint/bundle.js';
export type {
  CheckpointBundle,
  EncodedAdamState,
  EncodedArray,
  EncodedReplayBuffer,
  EncodedSpace,
} from './checkpoint/bundle.js';
export { decodeFloat32, encodeFloat32 } from './checkpoint/encode.js';
export { loadCheckpointFile, saveCheckpointFile } from './checkpoint/files.js';

// Networks and optimiser
export { FastForward } from './nn/fast-forward.js';
export { initMlpParams, mlpForward, mlpParamCount } from './nn/mlp.js';
export type { Activation, MlpInitOptions, MlpSpec } from './nn/mlp.js';
export { orthogonal, torchLinearDefault } from './nn/init.js';
export { clipGradNorm } from './nn/clip-grad.js';
export { Adam } from './optim/adam.js';
export type { AdamLayout, AdamOptions, AdamState } from './optim/adam.js';

// Policies' portfolio options: per-item shared encoders and the logistic-normal head
export type { BoxDistribution } from './policies/actor-critic.js';
export { expandItems } from './policies/items.js';
export type { ItemLayout } from './policies/items.js';

// Distributions
export {
  categoricalBackward,
  categoricalEntropy,
  categoricalLogProb,
  categoricalLogProbEntropy,
  categoricalLogProbs,
  categoricalMode,
  categoricalProbs,
  categoricalSample,
} from './distributions/categorical.js';
export {
  diagGaussianBackward,
  diagGaussianEntropy,
  diagGaussianLogProb,
  diagGaussianMode,
  diagGaussianSample,
  diagGaussianSharedEntropy,
} from './distributions/diag-gaussian.js';
export {
  clippedAtanh,
  squashedGaussianBackward,
  squashedGaussianLogProb,
  squashedGaussianMode,
  squashedGaussianRsample,
  squashedGaussianSample,
} from './distributions/squashed-gaussian.js';
export type { SquashedLogProbOptions } from './distributions/squashed-gaussian.js';
export {
  logisticNormalLogDensity,
  logisticNormalLogits,
  logisticNormalWeights,
} from './distributions/logistic-normal.js';

// Losses (SB3's PPO and SAC terms)
export { ppoLoss, ppoLossBackward } from './losses/ppo-loss.js';
export type { PpoLossGradients, PpoLossInputs, PpoLossResult } from './losses/ppo-loss.js';
export {
  sacActorLoss,
  sacCriticLoss,
  sacEntCoefLoss,
  sacSoftTarget,
  sacTargets,
} from './losses/sac-loss.js';
export type { SacTargetsInputs, SacTargetsResult } from './losses/sac-loss.js';

// GAE and returns
export { bootstrapTruncatedRewards, computeGae } from './gae.js';
export type { GaeInputs, GaeOptions, GaeResult } from './gae.js';
export { discountedReturns, explainedVariance, normalizeAdvantages } from './returns.js';

// Storage and normalisers
export { RolloutBuffer } from './buffers/rollout-buffer.js';
export type { RolloutSample } from './buffers/rollout-buffer.js';
export { ReplayBuffer } from './buffers/replay-buffer.js';
export type { ReplayBufferState, ReplaySample } from './buffers/replay-buffer.js';
export { RunningMeanStd } from './normalize/running-mean-std.js';
export type { RunningMeanStdState } from './normalize/running-mean-std.js';
export { ObsNormalizer, RewardNormalizer } from './normalize/vec-normalize.js';
export type { RewardNormalizerState } from './normalize/vec-normalize.js';

// Environments: contracts, spaces, vectorisation, check envs
export type { Action, Env, ResetResult, StepResult, VecEnv, VecStepResult } from './env.js';
export { box, discrete, sampleSpace, spaceContains, spaceSize } from './spaces.js';
export type { BoxSpace, DiscreteSpace, Space } from './spaces.js';
export { DummyVecEnv, isVecEnv, toVecEnv } from './vec-env.js';
export type { EpisodeInfo } from './vec-env.js';
export { CartPole } from './envs/cartpole.js';
export type { CartPoleOptions, CartPoleResetOptions } from './envs/cartpole.js';
export { angleNormalize, Pendulum } from './envs/pendulum.js';
export type { PendulumOptions, PendulumResetOptions } from './envs/pendulum.js';

// Randomness and errors
export { Rng } from './random.js';
export type { RngState } from './random.js';
export { isRlError, RlError } from './errors.js';
export type { RlErrorCode, RlErrorOptions } from './errors.js';
