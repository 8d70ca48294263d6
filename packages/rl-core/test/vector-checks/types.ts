/**
 * Shapes of the reference-vector files in `test/vectors` (see its README.md): every file
 * is `{ source, description, generated_with, cases: [{ name, note?, … }] }` and a runner
 * turns each case into a list of {@link VectorCheck}s (actual vs expected with a tolerance).
 */

/** The file kinds rl-core understands (the filename stems of test/vectors). */
export type VectorKind =
  | 'gae'
  | 'ppo_loss'
  | 'gaussian'
  | 'categorical'
  | 'sac_targets'
  | 'pendulum_traj'
  | 'cartpole_traj';

/** One case of a vector file, as parsed from JSON. */
export type VectorCase = Record<string, unknown> & { name: string };

/** One vector file that rl-core understands. */
export interface VectorFile {
  /** Absolute path. */
  path: string;
  kind: VectorKind;
  /** The whole parsed JSON (top-level fields such as `polyak` live here). */
  json: Record<string, unknown> & { cases: VectorCase[] };
}

/** One comparison: `|actual − expected| <= atol + rtol·|expected|` element-wise. */
export interface VectorCheck {
  /** `file/case/field[/detail]`, printed on failure. */
  label: string;
  actual: ArrayLike<number> | number;
  expected: ArrayLike<number> | number;
  rtol: number;
  atol: number;
}

/** A failed element of a {@link VectorCheck}. */
export interface VectorMismatch {
  label: string;
  index: number;
  actual: number;
  expected: number;
  diff: number;
  allowed: number;
}
