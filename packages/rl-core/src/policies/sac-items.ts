/**
 * SAC's per-item critic rows (EIIE-style shared encoders, Jiang, Xu & Liang 2017): one row per
 * item `[item block, global block, a_i(, w_i)]` whose outputs sum to Q(s, a), and the chain
 * rule that turns the rows' input gradients into ∂Q/∂a. With the logistic-normal
 * distribution each row also sees its item's portfolio weight `w_i = softmax([L·a, c])_i`
 * (the fixed cash logit c, 0 by default, is in the normaliser), so a critic of an additive reward
 * `Σ_i w_i r_i` can score every item from that item's row alone.
 */
import { logisticNormalWeights } from '../distributions/logistic-normal.js';
import type { ItemLayout } from './items.js';

/**
 * How a critic row's portfolio weight is formed under the logistic-normal distribution:
 * `w = softmax([logitBound·a, cashLogit])` without the rest slot.
 */
export interface ItemWeightHead {
  logitBound: number;
  cashLogit: number;
}

/**
 * Width of one per-item critic row: the item's and the shared features, its squashed action,
 * and its weight when `withWeights` (the logistic-normal distribution).
 * @example
 * itemCriticWidth({ items: 3, itemDim: 2, globalDim: 1 }, true); // 2 + 1 + 1 + 1 = 5
 */
export function itemCriticWidth(layout: ItemLayout, withWeights: boolean): number {
  return layout.itemDim + layout.globalDim + (withWeights ? 2 : 1);
}

/**
 * Writes the critic rows `[n·items, itemCriticWidth]` of flat observations `[n, obsDim]` and
 * squashed actions `[n, items]` into `out`; a `head` appends each item's weight
 * `softmax([logitBound·a, cashLogit])_i`.
 * @example
 * const head = { logitBound: 5, cashLogit: 0 };
 * const rows = itemCriticRows(obs, actions, n, layout, head, new Float32Array(n * 3 * itemCriticWidth(layout, true)));
 */
export function itemCriticRows(
  obs: ArrayLike<number>,
  actions: ArrayLike<number>,
  n: number,
  layout: ItemLayout,
  head: ItemWeightHead | null,
  out: Float32Array,
): Float32Array {
  const { items, itemDim, globalDim } = layout;
  const obsDim = items * itemDim + globalDim;
  const width = itemCriticWidth(layout, head !== null);
  const weights = new Float32Array(items);
  const logits = new Float32Array(items);
  let o = 0;
  for (let s = 0; s < n; s++) {
    const base = s * obsDim;
    const g = base + items * itemDim;
    if (head) {
      for (let j = 0; j < items; j++) logits[j] = actions[s * items + j]! * head.logitBound;
      logisticNormalWeights(logits, items, weights, head.cashLogit);
    }
    for (let j = 0; j < items; j++) {
      const it = base + j * itemDim;
      for (let f = 0; f < itemDim; f++) out[o + f] = obs[it + f]!;
      for (let f = 0; f < globalDim; f++) out[o + itemDim + f] = obs[g + f]!;
      out[o + itemDim + globalDim] = actions[s * items + j]!;
      if (head) out[o + itemDim + globalDim + 1] = weights[j]!;
      o += width;
    }
  }
  return out;
}

/**
 * ∂Q/∂a `[items]` of one sample, written to `dA` from `dA0`, given its rows' input gradients
 * (`dRows`, rows `[items, width]` from element `dRow0`) and its critic rows (`rows`, from
 * `row0`, for the weights): `∂Q/∂a_j = ∂q_j/∂a_j + Σ_i ∂q_i/∂w_i · ∂w_i/∂a_j` with
 * `∂w_i/∂a_j = L·w_i(δ_ij − w_j)`, i.e. `L·w_j(g_j − Σ_i g_i w_i)` for `g_i = ∂q_i/∂w_i`.
 * @example
 * itemActionGradient(dIn, r * items * width, qIn, s * items * width, layout, head, dA, s * items);
 */
export function itemActionGradient(
  dRows: ArrayLike<number>,
  dRow0: number,
  rows: ArrayLike<number>,
  row0: number,
  layout: ItemLayout,
  head: ItemWeightHead | null,
  dA: Float64Array,
  dA0: number,
): void {
  const { items } = layout;
  const width = itemCriticWidth(layout, head !== null);
  const at = layout.itemDim + layout.globalDim;
  let gw = 0;
  if (head) {
    for (let i = 0; i < items; i++)
      gw += dRows[dRow0 + i * width + at + 1]! * rows[row0 + i * width + at + 1]!;
  }
  for (let j = 0; j < items; j++) {
    let d = dRows[dRow0 + j * width + at]!;
    if (head) {
      const w = rows[row0 + j * width + at + 1]!;
      d += head.logitBound * w * (dRows[dRow0 + j * width + at + 1]! - gw);
    }
    dA[dA0 + j] = d;
  }
}
