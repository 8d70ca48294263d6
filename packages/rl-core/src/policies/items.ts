/**
 * Per-item shared encoders (EIIE: Jiang, Xu & Liang 2017): an observation of `items` blocks
 * of features plus shared ones becomes one network row per item, so one small network scores
 * every item and its size does not depend on the number of items.
 */
import { RlError } from '../errors.js';
import { type Space, spaceSize } from '../spaces.js';

/**
 * An observation made of `items` blocks of `itemDim` features followed by `globalDim`
 * features shared by all items (`[items × itemDim | globalDim]`).
 */
export interface ItemLayout {
  items: number;
  itemDim: number;
  globalDim: number;
}

/**
 * Rows `[n·items, itemDim + globalDim]` of a batch of item observations: each item's block
 * followed by the sample's global block.
 * @example
 * expandItems(Float32Array.of(1, 2, 9), 1, { items: 2, itemDim: 1, globalDim: 1 }); // [1, 9, 2, 9]
 */
export function expandItems(
  obs: ArrayLike<number>,
  n: number,
  layout: ItemLayout,
  out: Float32Array = new Float32Array(n * layout.items * (layout.itemDim + layout.globalDim)),
): Float32Array {
  const { items, itemDim, globalDim } = layout;
  const obsDim = items * itemDim + globalDim;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const base = i * obsDim;
    const g = base + items * itemDim;
    for (let j = 0; j < items; j++) {
      const it = base + j * itemDim;
      for (let f = 0; f < itemDim; f++) out[o++] = obs[it + f]!;
      for (let f = 0; f < globalDim; f++) out[o++] = obs[g + f]!;
    }
  }
  return out;
}

/**
 * Means of consecutive groups of `rows` values: per-item outputs `[n·rows]` → `[n]`.
 * @example
 * meanPerSample(Float32Array.of(1, 3, 5, 7), 2, 2); // [2, 6]
 */
export function meanPerSample(perRow: Float32Array, n: number, rows: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < rows; j++) s += perRow[i * rows + j]!;
    out[i] = s / rows;
  }
  return out;
}

/**
 * Sums of consecutive groups of `rows` values: per-item outputs `[n·rows]` → `[n]` (SAC's
 * Q, additive over items); a copy when `rows` is 1.
 * @example
 * sumPerSample(Float32Array.of(1, 3, 5, 7), 2, 2); // [4, 12]
 */
export function sumPerSample(perRow: Float32Array, n: number, rows: number): Float32Array {
  if (rows === 1) return perRow.slice(0, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < rows; j++) s += perRow[i * rows + j]!;
    out[i] = s;
  }
  return out;
}

/**
 * Throws `RlError('CONFIG')` naming `policy.items` unless the layout covers the observation
 * exactly and the action space is a Box of one value per item (what an item encoder scores).
 * @example
 * checkItemLayout(5, box({ shape: [4], low: 0, high: 1 }), { items: 4, itemDim: 1, globalDim: 1 }); // ok
 */
export function checkItemLayout(obsDim: number, actionSpace: Space, items: ItemLayout): void {
  const want = items.items * items.itemDim + items.globalDim;
  if (want !== obsDim) {
    throw new RlError(
      'CONFIG',
      `policy.items: ${items.items} items × ${items.itemDim} + ${items.globalDim} global = ${want} values, but the observation has ${obsDim}`,
      { field: 'policy.items' },
    );
  }
  if (actionSpace.kind !== 'box' || spaceSize(actionSpace) !== items.items) {
    throw new RlError(
      'CONFIG',
      `policy.items: an item encoder scores one action per item, so the action space must be a Box of ${items.items} values`,
      { field: 'policy.items' },
    );
  }
}
