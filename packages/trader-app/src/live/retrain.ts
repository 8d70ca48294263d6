/**
 * Online retraining for the live loop (champion / challenger): challengers are
 * warm-started from the champion checkpoints and trained on the newest bars except the
 * last `retrain.holdoutBars`; on those held-out bars each challenger is compared with
 * its champion (the other agent fixed). A challenger is promoted only if its return is
 * higher. Every challenger is saved as a checkpoint and every decision is stored.
 */
import type { Sac } from '@marlts/rl-core';
import type { AppConfig } from '../config.js';
import {
  type AgentPair,
  type Learner,
  LONG_ID,
  SHORT_ID,
  type TrainPoint,
  trainPair,
} from '../engine/agents.js';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoints.js';
import { evaluatePair, scoreAgent } from '../engine/evaluate.js';
import type { Logger } from '../log.js';
import type { ProgressReporter } from '../progress.js';
import type { CheckpointRow, RunStore } from '../store.js';
import type { BarHistory } from './history.js';

/** Copies `from`'s replay buffer into `to` (both SAC); a shape mismatch is logged and skipped. */
function handOverReplay(from: Sac | null, to: Sac | null, log: Logger): void {
  if (!from || !to || from === to) return;
  try {
    to.setReplayBuffer(from.getReplayBuffer());
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'replay buffer not handed over; the challenger starts empty');
  }
}

export interface Champions {
  long: CheckpointRow | undefined;
  short: CheckpointRow | undefined;
}

/** Learning-curve points a run's note keeps (the newest; one retrain adds a handful). */
export const MAX_CURVE_POINTS = 5000;

/**
 * Appends one retrain's learning-curve points to the run's `training` note (the report's
 * learning curves, one "fold" per retrain round), keeping the newest {@link MAX_CURVE_POINTS}.
 */
export function recordLearningCurve(
  store: RunStore,
  runId: string,
  points: TrainPoint[],
  round: number,
): void {
  if (points.length === 0) return;
  const old = store.getNotes(runId).training;
  const all = [...(Array.isArray(old) ? old : []), ...points.map((p) => ({ ...p, fold: round }))];
  store.setNote(runId, 'training', all.slice(-MAX_CURVE_POINTS));
}

/**
 * Runs one retraining round at bar `t`; returns the (possibly new) pair and champions,
 * or `undefined` when there is not enough history yet or `signal` aborted the training.
 */
export async function retrainChallengers(input: {
  store: RunStore;
  runId: string;
  config: AppConfig;
  configSha256: string;
  log: Logger;
  progress: ProgressReporter;
  signal: AbortSignal;
  history: BarHistory;
  pair: AgentPair;
  champions: Champions;
  t: number;
  round: number;
  /** Checkpoint names of the long and short agent (default `rl-long-0` / `rl-short-0`). */
  checkpointAgents?: { long: string; short: string };
}): Promise<{ pair: AgentPair; champions: Champions } | undefined> {
  const { store, runId, config, log, t } = input;
  const names = input.checkpointAgents ?? { long: LONG_ID, short: SHORT_ID };
  const r = config.retrain;
  const W = config.env.windowBars;
  const all = input.history.times().filter((x) => x <= t);
  if (all.length < W + r.holdoutBars + 30 || !input.champions.long || !input.champions.short) {
    log.info({ bars: all.length }, 'retrain skipped: not enough history yet');
    return undefined;
  }
  const trainFrame = input.history.frame(
    Math.min(r.windowBars, all.length - r.holdoutBars),
    all[all.length - 1 - r.holdoutBars],
  );
  const evalFrame = input.history.frame(W + r.holdoutBars + 1, t);
  const championLong = input.champions.long;
  const championShort = input.champions.short;
  // Challengers start from the champions' weights (warm start).
  const challenger: AgentPair = {
    long: (await loadCheckpoint(championLong)) as AgentPair['long'],
    short: (await loadCheckpoint(championShort)) as AgentPair['short'],
  };
  // Off-policy experience outlives the champion/challenger choice: checkpoints carry weights,
  // not the replay buffer, so the SAC challenger takes the in-memory champion's buffer
  // (otherwise it would fit its first updates to a handful of fresh transitions).
  handOverReplay(input.pair.short, challenger.short, log);
  const curve: TrainPoint[] = [];
  await trainPair({
    frame: trainFrame,
    config,
    seed: config.seed + input.round + 7,
    ppoSteps: r.ppoSteps,
    sacSteps: r.sacSteps,
    pair: challenger,
    progress: input.progress,
    label: `retrain @${new Date(t).toISOString().slice(0, 16)}`,
    signal: input.signal,
    onTrainPoint: (p) => curve.push(p),
  });
  recordLearningCurve(store, runId, curve, input.round);
  if (input.signal.aborted) {
    // Cut short by Ctrl-C: judging half-trained challengers would record a decision (and
    // maybe promote one) that no complete retrain made. The champion keeps the experience.
    handOverReplay(challenger.short, input.pair.short, log);
    challenger.long?.dispose();
    challenger.short?.dispose();
    log.info({ bar: new Date(t).toISOString() }, 'retrain interrupted; nothing recorded');
    return undefined;
  }
  const evalAt = (p: AgentPair) =>
    evaluatePair({
      frame: evalFrame,
      start: W,
      end: evalFrame.nBars - 1,
      pair: p,
      config,
      seed: config.seed,
    });
  const base = evalAt(input.pair);
  const withLong = evalAt({ long: challenger.long, short: input.pair.short });
  const withShort = evalAt({ long: input.pair.long, short: challenger.short });
  const range = { dataStart: trainFrame.times[0]!, dataEnd: trainFrame.times[trainFrame.nBars - 1]! };
  const pair: AgentPair = { ...input.pair };
  const champions: Champions = { ...input.champions };
  for (const [agent, algo, champ, model, champScore, chalScore] of [
    [
      names.long,
      'ppo',
      championLong,
      challenger.long,
      scoreAgent(base, LONG_ID),
      scoreAgent(withLong, LONG_ID),
    ],
    [
      names.short,
      'sac',
      championShort,
      challenger.short,
      scoreAgent(base, SHORT_ID),
      scoreAgent(withShort, SHORT_ID),
    ],
  ] as const) {
    const row = await saveCheckpoint(store, config.runDir, {
      runId,
      agent,
      algo,
      model: model as Learner,
      seed: config.seed,
      ...range,
      configSha256: input.configSha256,
      parentId: champ.id,
      promoted: false,
    });
    const promoted = chalScore > champScore;
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    store.recordRetrain(runId, {
      barTime: t,
      agent,
      championId: champ.id,
      challengerId: row.id,
      championScore: champScore,
      challengerScore: chalScore,
      promoted,
      reason: promoted
        ? `challenger return ${pct(chalScore)} beats champion ${pct(champScore)} on the last ${r.holdoutBars} held-out bars`
        : `champion kept: challenger ${pct(chalScore)} vs champion ${pct(champScore)} on the last ${r.holdoutBars} held-out bars`,
    });
    if (promoted) {
      if (algo === 'ppo') {
        pair.long?.dispose();
        pair.long = challenger.long;
        champions.long = { ...row, promoted: true };
      } else {
        pair.short?.dispose();
        pair.short = challenger.short;
        champions.short = { ...row, promoted: true };
      }
    } else {
      // A kept champion adopts the challenger's grown buffer: the data is valid whichever policy acts.
      if (algo === 'sac') handOverReplay(challenger.short, pair.short, log);
      (model as Learner | null)?.dispose();
    }
    log.info({ agent, promoted, champScore, chalScore }, 'retrain decision');
  }
  return { pair, champions };
}
