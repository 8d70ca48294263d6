/**
 * @marlts/rl-core — PPO, SAC and GAE on TensorFlow.js.
 *
 * This file is the table of contents of the public API. `./setup.js` must stay the
 * first import: it registers tfjs gradients and chained ops.
 */
import './setup.js';

// tfjs itself, the same instance rl-core uses (for tf.grad, tf.tidy, tf.memory …)
export * as tf from '@tensorflow/tfjs-core';
export type { BackendName, InitBackendOptions } from './backend.js';
// Backends
export { activeBackend, initBackend } from './backend.js';
export type { Action, Env, ResetResult, StepResult, VecEnv, VecStepResult } from './env.js';
export type { RlErrorCode, RlErrorOptions } from './errors.js';
// Errors
export { isRlError, RlError } from './errors.js';
export type { RngState } from './random.js';
// Randomness
export { Rng } from './random.js';
export type { BoxSpace, DiscreteSpace, Space } from './spaces.js';
// Spaces and environment contracts
export { box, discrete, sampleSpace, spaceContains, spaceSize } from './spaces.js';

// Maths: GAE, returns, distributions, losses

export {
  categoricalEntropy,
  categoricalEntropyT,
  categoricalLogProb,
  categoricalLogProbs,
  categoricalLogProbT,
  categoricalMode,
  categoricalProbs,
  categoricalSample,
} from './distributions/categorical.js';
export {
  diagGaussianEntropy,
  diagGaussianEntropyT,
  diagGaussianLogProb,
  diagGaussianLogProbT,
  diagGaussianMode,
  diagGaussianSample,
} from './distributions/diag-gaussian.js';
export type { SquashedLogProbOptions } from './distributions/squashed-gaussian.js';
export {
  clippedAtanh,
  squashedGaussianLogProb,
  squashedGaussianLogProbT,
  squashedGaussianMode,
  squashedGaussianRsampleT,
  squashedGaussianSample,
} from './distributions/squashed-gaussian.js';
export type { GaeInputs, GaeOptions, GaeResult } from './gae.js';
export { bootstrapTruncatedRewards, computeGae } from './gae.js';
export type { PpoLossInputs, PpoLossResult, PpoLossTInputs, PpoLossTResult } from './losses/ppo-loss.js';
export { ppoLoss, ppoLossT } from './losses/ppo-loss.js';
export type { SacTargetsInputs, SacTargetsResult } from './losses/sac-loss.js';
export {
  sacActorLossT,
  sacCriticLossT,
  sacCriticTargetT,
  sacEntCoefLossT,
  sacTargets,
} from './losses/sac-loss.js';
export { stopGradient } from './losses/stop-gradient.js';
export { discountedReturns, explainedVariance, normalizeAdvantages } from './returns.js';
// (end of Maths section)

// Check environments

export type { CartPoleOptions, CartPoleResetOptions } from './envs/cartpole.js';
export { CartPole } from './envs/cartpole.js';
export type { PendulumOptions, PendulumResetOptions } from './envs/pendulum.js';
export { angleNormalize, Pendulum } from './envs/pendulum.js';
// (end of Check environments section)

// Training: networks, optimiser, buffers, normalisers, vector envs, PPO, SAC, checkpoints
export type { EncodedSpace } from './algos/common.js';
export type { PpoConfig, PpoOptions } from './algos/ppo-config.js';
export { ppoConfigSchema } from './algos/ppo-config.js';
export type { PpoLearnOptions, PpoLoadOptions, PredictOptions } from './algos/ppo.js';
export { Ppo } from './algos/ppo.js';
export type { SacConfig, SacOptions } from './algos/sac-config.js';
export { sacConfigSchema } from './algos/sac-config.js';
export type { SacLearnOptions, SacLoadOptions } from './algos/sac.js';
export { Sac } from './algos/sac.js';
export type { EncodedSchedule, Schedule } from './algos/schedule.js';
export { linearSchedule } from './algos/schedule.js';
export type { LearnProgress, PpoProgress, PpoTrainStats, SacProgress, SacTrainStats } from './algos/stats.js';
export type { ReplaySample } from './buffers/replay-buffer.js';
export { ReplayBuffer } from './buffers/replay-buffer.js';
export type { RolloutSample } from './buffers/rollout-buffer.js';
export { RolloutBuffer } from './buffers/rollout-buffer.js';
export type { CheckpointBundle, EncodedAdamState, EncodedArray } from './checkpoint.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointChecksum,
  decodeFloat32,
  encodeFloat32,
  loadCheckpointFile,
  RL_CORE_VERSION,
  saveCheckpointFile,
  validateCheckpoint,
} from './checkpoint.js';
export { clipGradNorm } from './nn/clip-grad.js';
export { orthogonal, torchLinearDefault } from './nn/init.js';
export type { Activation, MlpInitOptions, MlpSpec } from './nn/mlp.js';
export {
  FastForward,
  initMlpParams,
  Mlp,
  mlpApplyT,
  mlpForward,
  mlpLayerVariables,
  mlpParamCount,
} from './nn/mlp.js';
export type { RunningMeanStdState } from './normalize/running-mean-std.js';
export { RunningMeanStd } from './normalize/running-mean-std.js';
export type { RewardNormalizerState } from './normalize/vec-normalize.js';
export { ObsNormalizer, RewardNormalizer } from './normalize/vec-normalize.js';
export type { AdamOptions, AdamState } from './optim/adam.js';
export { Adam } from './optim/adam.js';
export type { EpisodeInfo } from './vec-env.js';
export { DummyVecEnv, isVecEnv, toVecEnv } from './vec-env.js';
// (end of Training section)
