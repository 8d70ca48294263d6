/**
 * `@marlts/rl-core/testing`: what tests of code built on rl-core need, and rl-core's
 * TensorFlow.js reference implementations. Training and acting run on rl-core's own
 * WebAssembly kernels with hand-derived gradients; these tfjs versions of the same maths are
 * differentiable by autodiff, which makes them the oracles the kernels are tested against
 * (and a starting point for experiments in tfjs). `./setup.js` comes first: autodiff needs
 * tfjs's gradients registered.
 */
import './setup.js';

export { AdamT } from './testing/adam-t.js';
// Distributions
export { categoricalEntropyT, categoricalLogProbT } from './testing/categorical-t.js';
export { clipGradNormT } from './testing/clip-grad-t.js';
export { diagGaussianEntropyT, diagGaussianLogProbT } from './testing/diag-gaussian-t.js';
// Assertions
export { expectClose, expectNoTensorLeak } from './testing/expect.js';
export { expandItemsT } from './testing/items-t.js';
// Networks (SAC's actor and critics), optimiser and gradient clipping
export { Mlp, mlpApplyT, mlpLayerVariables } from './testing/mlp-t.js';
export type { PpoLossTInputs, PpoLossTResult } from './testing/ppo-loss-t.js';
// Losses (SB3's PPO and SAC terms)
export { ppoLossT } from './testing/ppo-loss-t.js';
export { sacActorLossT, sacCriticLossT, sacCriticTargetT, sacEntCoefLossT } from './testing/sac-loss-t.js';
export type { SacItemsT } from './testing/sac-policy-t.js';
export { sacActorT, sacQValuesT } from './testing/sac-policy-t.js';
export { squashedGaussianLogProbT, squashedGaussianRsampleT } from './testing/squashed-gaussian-t.js';
export { stopGradient } from './testing/stop-gradient.js';
