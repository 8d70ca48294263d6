/**
 * `@marlts/rl-core/testing`: what tests of code built on rl-core need, and rl-core's
 * TensorFlow.js reference implementations. Training and acting run on rl-core's own
 * WebAssembly kernels with hand-derived gradients; these tfjs versions of the same maths are
 * differentiable by autodiff, which makes them the oracles the kernels are tested against
 * (and a starting point for experiments in tfjs). `./setup.js` comes first: autodiff needs
 * tfjs's gradients registered.
 */
import './setup.js';

// Optimiser and gradient clipping in tfjs
export { AdamT } from './testing/adam-t.js';
export { clipGradNormT } from './testing/clip-grad-t.js';
// Assertions
export { expectClose, expectNoTensorLeak } from './testing/expect.js';
