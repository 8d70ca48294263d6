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
