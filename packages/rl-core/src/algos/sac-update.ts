/**
 * One SAC gradient step on rl-core's WebAssembly kernels, in SB3's order
 * (`stable_baselines3/sac/sac.py` `SAC.train`):
 *
 * 1. sample a_π ~ π(·|s) (reparameterised) and its log-prob, with the actor before this step;
 * 2. soft Bellman target y = r + γ(1 − d)(min Q̄(s', a') − α log π(a'|s')), a' ~ π(·|s');
 * 3. critic loss ½ Σᵢ MSE(Qᵢ(s, a), y) → Adam on both critics;
 * 4. actor loss mean(α log π(a_π|s) − min Qᵢ(s, a_π)) through the updated critic → Adam;
 * 5. entropy-coefficient loss −mean(log α · (log π + target entropy)) (returned; the caller
 *    owns log α), and the Polyak update is the caller's too (every `targetUpdateInterval`).
 *
 * Gradients are analytic: each network's output gradient is written by hand from SB3's
 * losses (below) and backpropagated by {@link KernelMlp}. They equal tfjs autodiff of the
 * `…T` losses to float32 rounding (tested on the cpu and wasm backends), at ~16 large matrix
 * products per step and no tfjs kernel launches.
 */
import type { ReplaySample } from '../buffers/replay-buffer.js';
import { HALF_LOG_2PI } from '../distributions/diag-gaussian.js';
import { SQUASH_EPSILON } from '../distributions/squashed-gaussian.js';
import type { KernelBlock } from '../kernels/wasm-kernels.js';
import { KernelMlp } from '../nn/kernel-mlp.js';
import { Adam, type AdamOptions } from '../optim/adam.js';
import { LOG_STD_MAX, LOG_STD_MIN, type SacPolicy } from '../policies/sac-policy.js';

/** Per-step settings of {@link SacUpdate.step}. */
export interface SacStepOptions {
  /** Entropy coefficient α before this step's α update. */
  alpha: number;
  gamma: number;
  learningRate: number;
  /** Standard normal noise `[B, actDim]` for a' ~ π(·|s') and for a_π ~ π(·|s). */
  noiseNext: Float32Array;
  noisePi: Float32Array;
}

/** What {@link SacUpdate.step} reports; a non-finite loss or gradient names what failed and applies nothing from it on. */
export interface SacStepResult {
  criticLoss: number;
  actorLoss: number;
  /** mean log π(a_π|s) (for the entropy-coefficient loss and the diagnostics). */
  meanLogProb: number;
  /** 'criticLoss' | 'criticGrad' | 'actorLoss' | 'actorGrad' when a value was not finite. */
  failed: null | { what: string; value: number };
}

/**
 * @example
 * const update = new SacUpdate(policy, 256, { learningRate: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
 * const r = update.step(replay.sample(256, rng), { alpha, gamma: 0.99, learningRate: 3e-4, noiseNext, noisePi });
 * update.dispose();
 */
export class SacUpdate {
  private readonly obs: KernelBlock;
  private readonly nextObs: KernelBlock;
  /** Critic input rows `[obs, action]`. */
  private readonly qIn: KernelBlock;
  private readonly dQ1: KernelBlock;
  private readonly dQ2: KernelBlock;
  /** ∂(−min Q)/∂(critic input) for the rows where Q1, resp. Q2, is the minimum (the two run at once). */
  private readonly dQIn1: KernelBlock;
  private readonly dQIn2: KernelBlock;
  /** Tapes of those rows only: the actor loss reaches one critic per sample. */
  private readonly q1Rows: KernelMlp;
  private readonly q2Rows: KernelMlp;
  private readonly rows1: Int32Array;
  private readonly rows2: Int32Array;
  private readonly dActor: KernelBlock;
  private readonly gradActor: KernelBlock;
  private readonly gradCritic: KernelBlock;
  /** Adam on the actor's and on the critics' parameters, moments in kernel memory. */
  readonly optimizers: Record<'actor' | 'critic', Adam>;
  private readonly target: Float64Array;
  private disposed = false;

  constructor(
    private readonly policy: SacPolicy,
    readonly batchSize: number,
    adamOptions: AdamOptions,
  ) {
    const { k, obsDim: o, actDim: d } = policy;
    const B = batchSize;
    this.obs = k.alloc(B * o);
    this.nextObs = k.alloc(B * o);
    this.qIn = k.alloc(B * (o + d));
    this.dQ1 = k.alloc(B);
    this.dQ2 = k.alloc(B);
    this.dQIn1 = k.alloc(B * (o + d));
    this.dQIn2 = k.alloc(B * (o + d));
    this.q1Rows = new KernelMlp(policy.qSpec, B, k);
    this.q2Rows = new KernelMlp(policy.qSpec, B, k);
    this.rows1 = new Int32Array(B);
    this.rows2 = new Int32Array(B);
    this.dActor = k.alloc(B * 2 * d);
    this.gradActor = k.alloc(policy.params.actor.length);
    this.gradCritic = k.alloc(policy.params.critic.length);
    const adam = (group: 'actor' | 'critic') =>
      new Adam(policy.params[group].length, adamOptions, {
        kernels: k,
        tensorSizes: this.tensorSizes(group),
      });
    this.optimizers = { actor: adam('actor'), critic: adam('critic') };
    this.target = new Float64Array(B);
  }

  /** One gradient step on `batch` (`batchSize` transitions). */
  step(batch: ReplaySample, o: SacStepOptions): SacStepResult {
    const p = this.policy;
    const k = p.k;
    const B = this.batchSize;
    const d = p.actDim;
    const od = p.obsDim + d;
    const { alpha } = o;
    k.view(this.obs).set(batch.obs);
    k.view(this.nextObs).set(batch.nextObs);
    const critic = p.params.critic.ptr;
    const q2Off = p.qParamCount * 4;

    // Step 1 (a_π ~ π(·|s)) runs just before step 4: the actor is unchanged until then and
    // its forward pass on s must be the last one before its backward pass.

    // 2. Target: a' ~ π(·|s'), y = r + γ(1 − d)(min Q̄ᵢ(s', a') − α log π(a'|s')).
    const next = this.sample(p.actorForward(this.nextObs.ptr, B), o.noiseNext);
    this.fillCriticInput(batch.nextObs, next.actions);
    const target = p.params.criticTarget.ptr;
    k.runPair(
      p.q1Net.planForward(target, this.qIn.ptr, B),
      p.q2Net.planForward(target + q2Off, this.qIn.ptr, B),
    );
    const q1t = k.view({ ptr: p.q1Net.output, length: B });
    const q2t = k.view({ ptr: p.q2Net.output, length: B });
    const y = this.target;
    for (let i = 0; i < B; i++) {
      const minQ = Math.min(q1t[i]!, q2t[i]!);
      y[i] = Math.fround(
        batch.rewards[i]! + (1 - batch.dones[i]!) * o.gamma * (minQ - alpha * next.logProb[i]!),
      );
    }

    // 3. Critic: ½ Σᵢ mean((Qᵢ(s, a) − y)²); ∂/∂Qᵢ = (Qᵢ − y)/B.
    this.fillCriticInput(batch.obs, batch.actions);
    k.runPair(
      p.q1Net.planForward(critic, this.qIn.ptr, B),
      p.q2Net.planForward(critic + q2Off, this.qIn.ptr, B),
    );
    const q1 = k.view({ ptr: p.q1Net.output, length: B });
    const q2 = k.view({ ptr: p.q2Net.output, length: B });
    const dQ1 = k.view(this.dQ1);
    const dQ2 = k.view(this.dQ2);
    let sq1 = 0;
    let sq2 = 0;
    for (let i = 0; i < B; i++) {
      const e1 = q1[i]! - y[i]!;
      const e2 = q2[i]! - y[i]!;
      sq1 += e1 * e1;
      sq2 += e2 * e2;
      dQ1[i] = e1 / B;
      dQ2[i] = e2 / B;
    }
    const criticLoss = 0.5 * (sq1 / B + sq2 / B);
    const gc = this.gradCritic.ptr;
    k.runPair(
      p.q1Net.planBackward(critic, this.dQ1.ptr, { grad: gc, dx: 0 }),
      p.q2Net.planBackward(critic + q2Off, this.dQ2.ptr, { grad: gc + q2Off, dx: 0 }),
    );
    const criticGradSq = k.raw.sum_sq(this.gradCritic.length, gc);
    const result: SacStepResult = {
      criticLoss,
      actorLoss: Number.NaN,
      meanLogProb: Number.NaN,
      failed: null,
    };
    if (!Number.isFinite(criticLoss)) return { ...result, failed: { what: 'criticLoss', value: criticLoss } };
    if (!Number.isFinite(criticGradSq))
      return { ...result, failed: { what: 'criticGrad', value: criticGradSq } };
    this.optimizers.critic.step(p.params.critic, this.gradCritic, o.learningRate);

    // 1 and 4. a_π ~ π(·|s); actor loss mean(α log π − min Qᵢ(s, a_π)) through the updated critic.
    const pi = this.sample(p.actorForward(this.obs.ptr, B), o.noisePi);
    this.fillCriticInput(batch.obs, pi.actions);
    k.runPair(
      p.q1Net.planForward(critic, this.qIn.ptr, B),
      p.q2Net.planForward(critic + q2Off, this.qIn.ptr, B),
    );
    const q1p = k.view({ ptr: p.q1Net.output, length: B });
    const q2p = k.view({ ptr: p.q2Net.output, length: B });
    let actorSum = 0;
    let logProbSum = 0;
    let n1 = 0;
    let n2 = 0;
    for (let i = 0; i < B; i++) {
      // tfjs's minimum sends the gradient to its first argument on ties, as torch.min's index does.
      const first = q1p[i]! <= q2p[i]!;
      actorSum += alpha * pi.logProb[i]! - (first ? q1p[i]! : q2p[i]!);
      logProbSum += pi.logProb[i]!;
      if (first) this.rows1[n1++] = i;
      else this.rows2[n2++] = i;
    }
    const actorLoss = actorSum / B;
    result.actorLoss = actorLoss;
    result.meanLogProb = logProbSum / B;
    // ∂(−min Q)/∂a_π: each sample's gradient −1/B flows through its smaller critic only
    // (weights held fixed), so each critic backpropagates just its own rows.
    const dxFrom = p.obsDim;
    // Every gathered row's output gradient is −1/B: dQ1's buffer holds it for both critics.
    dQ1.fill(-1 / B);
    const plan = (
      net: KernelMlp,
      rowsNet: KernelMlp,
      rows: Int32Array,
      n: number,
      params: number,
      dx: number,
    ) => {
      if (n === 0) return null;
      rowsNet.gatherRows(net, rows, n);
      return rowsNet.planBackward(params, this.dQ1.ptr, { grad: 0, dx, dxFrom });
    };
    const b1 = plan(p.q1Net, this.q1Rows, this.rows1, n1, critic, this.dQIn1.ptr);
    const b2 = plan(p.q2Net, this.q2Rows, this.rows2, n2, critic + q2Off, this.dQIn2.ptr);
    if (b1 && b2) k.runPair(b1, b2);
    else k.run((b1 ?? b2)!);
    const dQIn1 = k.view(this.dQIn1);
    const dQIn2 = k.view(this.dQIn2);
    const dAct = k.view(this.dActor);
    const out = pi.out;
    const dA = new Float64Array(B * d);
    for (let r = 0; r < n1; r++)
      for (let j = 0; j < d; j++) dA[this.rows1[r]! * d + j] = dQIn1[r * od + p.obsDim + j]!;
    for (let r = 0; r < n2; r++)
      for (let j = 0; j < d; j++) dA[this.rows2[r]! * d + j] = dQIn2[r * od + p.obsDim + j]!;
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < d; j++) {
        const a = pi.actions[i * d + j]!;
        const oneMinusA2 = 1 - a * a;
        // u = mean + σ·ε, a = tanh(u), log π = Σ(−ε²/2 − log σ − ½log 2π) − Σ log(1 − a² + 1e-6):
        // ∂log π/∂u = 2a(1 − a²)/(1 − a² + 1e-6), ∂log π/∂log σ = −1 (ε is fixed), ∂a/∂u = 1 − a².
        const dU =
          (alpha * 2 * a * oneMinusA2) / (oneMinusA2 + SQUASH_EPSILON) / B + dA[i * d + j]! * oneMinusA2;
        const rawLogStd = out[i * 2 * d + d + j]!;
        const logStd = Math.min(Math.max(rawLogStd, LOG_STD_MIN), LOG_STD_MAX);
        const inRange = rawLogStd >= LOG_STD_MIN && rawLogStd <= LOG_STD_MAX;
        dAct[i * 2 * d + j] = dU;
        dAct[i * 2 * d + d + j] = inRange ? dU * Math.exp(logStd) * o.noisePi[i * d + j]! - alpha / B : 0;
      }
    }
    p.actorNet.backward(p.params.actor.ptr, this.dActor.ptr, { grad: this.gradActor.ptr, dx: 0 });
    const actorGradSq = k.raw.sum_sq(this.gradActor.length, this.gradActor.ptr);
    if (!Number.isFinite(actorLoss)) return { ...result, failed: { what: 'actorLoss', value: actorLoss } };
    if (!Number.isFinite(actorGradSq))
      return { ...result, failed: { what: 'actorGrad', value: actorGradSq } };
    this.optimizers.actor.step(p.params.actor, this.gradActor, o.learningRate);
    return result;
  }

  /** The critic input rows `[obs, action]` for the next Q passes. */
  private fillCriticInput(obs: Float32Array, actions: Float32Array): void {
    const { obsDim: o, actDim: d } = this.policy;
    const qIn = this.policy.k.view(this.qIn);
    for (let i = 0; i < this.batchSize; i++) {
      qIn.set(obs.subarray(i * o, i * o + o), i * (o + d));
      qIn.set(actions.subarray(i * d, i * d + d), i * (o + d) + o);
    }
  }

  /**
   * Reads the actor output at `outPtr`, draws squashed actions with `noise`, and returns
   * them with their log-probs and a copy of the actor output.
   */
  private sample(
    outPtr: number,
    noise: Float32Array,
  ): { actions: Float32Array; logProb: Float64Array; out: Float32Array } {
    const p = this.policy;
    const B = this.batchSize;
    const d = p.actDim;
    const out = p.k.view({ ptr: outPtr, length: B * 2 * d }).slice();
    const actions = new Float32Array(B * d);
    const logProb = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      let lp = 0;
      for (let j = 0; j < d; j++) {
        const mean = out[i * 2 * d + j]!;
        const logStd = Math.min(Math.max(out[i * 2 * d + d + j]!, LOG_STD_MIN), LOG_STD_MAX);
        const eps = noise[i * d + j]!;
        const a = Math.fround(Math.tanh(Math.fround(mean + Math.exp(logStd) * eps)));
        actions[i * d + j] = a;
        lp += -0.5 * eps * eps - logStd - HALF_LOG_2PI - Math.log(1 - a * a + SQUASH_EPSILON);
      }
      logProb[i] = Math.fround(lp);
    }
    return { actions, logProb, out };
  }

  /** Copies of the last step's gradients (∂critic loss/∂critic, ∂actor loss/∂actor), for diagnostics and tests. */
  gradients(): { actor: Float32Array; critic: Float32Array } {
    const k = this.policy.k;
    return { actor: k.view(this.gradActor).slice(), critic: k.view(this.gradCritic).slice() };
  }

  /**
   * Sizes of a group's layer tensors `[W₀, b₀, W₁, b₁, …]` (the critic lists Q1's then Q2's):
   * how checkpoints split the optimiser moments.
   */
  tensorSizes(group: 'actor' | 'critic'): number[] {
    const p = this.policy;
    const of = (sizes: readonly number[]) => sizes.slice(1).flatMap((nOut, l) => [sizes[l]! * nOut, nOut]);
    return group === 'actor' ? of(p.actorSpec.sizes) : [...of(p.qSpec.sizes), ...of(p.qSpec.sizes)];
  }

  /** Frees the buffers. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const k = this.policy.k;
    this.q1Rows.dispose();
    this.q2Rows.dispose();
    this.optimizers.actor.dispose();
    this.optimizers.critic.dispose();
    for (const b of [
      this.obs,
      this.nextObs,
      this.qIn,
      this.dQ1,
      this.dQ2,
      this.dQIn1,
      this.dQIn2,
      this.dActor,
      this.gradActor,
      this.gradCritic,
    ])
      k.free(b);
  }
}
