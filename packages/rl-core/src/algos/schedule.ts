/**
 * Hyperparameter schedules as SB3 defines them: a function of `progressRemaining`, which goes
 * from 1 (start of `learn`) to 0 (end). Schedules built by {@link linearSchedule} carry their
 * parameters, so checkpoints can store and restore them; other functions are stored as their
 * current value.
 */

/** A value or a schedule `(progressRemaining) => value`. */
export type Schedule = number | ((progressRemaining: number) => number);

/** The JSON form of a schedule in a checkpoint. */
export type EncodedSchedule = number | { kind: 'linear'; start: number; end: number };

const LINEAR = Symbol.for('marlts.rl-core.linearSchedule');

/**
 * Linear decay from `start` (progress 1) to `end` (progress 0), rl-zoo's `lin_3e-4`.
 * @example
 * new Ppo({ env, learningRate: linearSchedule(3e-4) });
 */
export function linearSchedule(start: number, end = 0): (progressRemaining: number) => number {
  const fn = (p: number) => end + (start - end) * p;
  Object.defineProperty(fn, LINEAR, { value: { start, end } });
  return fn;
}

/** The value of a schedule at `progressRemaining`. */
export function scheduleValue(s: Schedule, progressRemaining: number): number {
  return typeof s === 'number' ? s : s(progressRemaining);
}

/** A schedule as JSON; a custom function becomes its value at `progressRemaining`. */
export function encodeSchedule(s: Schedule, progressRemaining: number): EncodedSchedule {
  if (typeof s === 'number') return s;
  const linear = (s as unknown as Record<symbol, { start: number; end: number } | undefined>)[LINEAR];
  return linear ? { kind: 'linear', start: linear.start, end: linear.end } : s(progressRemaining);
}

/** Inverse of {@link encodeSchedule}. */
export function decodeSchedule(e: EncodedSchedule): Schedule {
  return typeof e === 'number' ? e : linearSchedule(e.start, e.end);
}
