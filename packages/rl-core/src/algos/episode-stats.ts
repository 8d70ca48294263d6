/**
 * The episode statistics `learn` reports (SB3's `ep_info_buffer`, `rollout/ep_rew_mean`), from
 * the `episode` records a vectorised env puts in `infos` when an episode ends.
 */
import type { EpisodeInfo } from '../vec-env.js';

/**
 * Monitor-style statistics over the last `window` finished episodes.
 * @example
 * const episodes = new EpisodeStats();
 * episodes.add(step.infos[i]?.episode);
 * episodes.meanReward; // NaN before the first episode
 */
export class EpisodeStats {
  private readonly rewards: number[] = [];
  private readonly lengths: number[] = [];
  /** Episodes finished since construction. */
  count = 0;
  constructor(private readonly window = 100) {}

  add(info: unknown): void {
    const ep = info as EpisodeInfo | undefined;
    if (!ep || typeof ep.reward !== 'number') return;
    this.rewards.push(ep.reward);
    this.lengths.push(ep.length);
    if (this.rewards.length > this.window) {
      this.rewards.shift();
      this.lengths.shift();
    }
    this.count++;
  }

  /** Mean episode return over the window (NaN before the first episode). */
  get meanReward(): number {
    return this.rewards.length ? this.rewards.reduce((a, b) => a + b, 0) / this.rewards.length : Number.NaN;
  }

  get meanLength(): number {
    return this.lengths.length ? this.lengths.reduce((a, b) => a + b, 0) / this.lengths.length : Number.NaN;
  }
}
