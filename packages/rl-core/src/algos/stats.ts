/**
 * The diagnostics each `learn` iteration reports (cleanrl's set, SB3's logger keys in
 * camelCase), and the progress record passed to `learn` callbacks.
 */

/** PPO's `train/*` diagnostics for one rollout's update phase (means over minibatches). */
export interface PpoTrainStats {
  policyLoss: number;
  valueLoss: number;
  /** SB3's `entropy_loss` = −mean entropy. */
  entropyLoss: number;
  /** Mean policy entropy (−entropyLoss). */
  entropy: number;
  approxKl: number;
  clipFraction: number;
  /** Total loss of the last minibatch. */
  loss: number;
  /** Explained variance of the rollout's values vs returns. */
  explainedVariance: number;
  /** Mean global gradient norm before clipping. */
  gradNorm: number;
  learningRate: number;
  clipRange: number;
  /** Epochs completed in this update (fewer than nEpochs after a target-KL stop). */
  epochs: number;
  /** Total epochs trained since construction (SB3 `n_updates`). */
  nUpdates: number;
  /** mean(exp(logStd)) for Box actions, NaN for Discrete. */
  std: number;
}

/** SAC's `train/*` diagnostics, means over the gradient steps since the last report. */
export interface SacTrainStats {
  actorLoss: number;
  criticLoss: number;
  entCoef: number;
  entCoefLoss: number;
  /** Mean log π of the sampled actions (−entropy estimate). */
  logProb: number;
  learningRate: number;
  nUpdates: number;
}

/** What a `learn` callback receives. Returning `false` from the callback stops training. */
export interface LearnProgress<S> {
  /** Env steps taken by the model in total (across `learn` calls unless reset). */
  timesteps: number;
  /** Where this `learn` call stops. */
  totalTimesteps: number;
  /** Rollouts (PPO) or reports (SAC) so far in this call. */
  iteration: number;
  /** Env steps per second of this `learn` call (including updates, excluding callbacks). */
  stepsPerSecond: number;
  /** Mean undiscounted return of the last 100 finished episodes (raw env rewards). */
  episodeRewardMean: number;
  episodeLengthMean: number;
  episodes: number;
  /** `null` before the first update (e.g. SAC during `learningStarts`). */
  train: S | null;
}

/** What `Ppo.learn` resolves to and its callback receives. */
export type PpoProgress = LearnProgress<PpoTrainStats>;
/** What `Sac.learn` resolves to and its callback receives. */
export type SacProgress = LearnProgress<SacTrainStats>;
