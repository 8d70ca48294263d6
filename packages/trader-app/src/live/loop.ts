/**
 * The live trading loop (paper by default). `start` loads the bar history and the
 * champion checkpoints (training a first pair when there are none) and reconciles; then
 * every new bar goes through the stages in `stages/`, in this order:
 *
 * 1. reconcile (`stages/reconcile.ts`): orders and fills brought up to date with the broker;
 * 2. bookkeeping (`stages/bookkeeping.ts`): positions, equity and the buy-and-hold benchmark recorded;
 * 3. retrain when due (`retrain.ts`): warm-started challengers against the champions on held-out recent bars;
 * 4. decide (`stages/decide.ts`): the training features, both policies' target weights;
 * 5. risk (`stages/risk.ts`): shortability, both sleeves netted per symbol, the risk rules;
 * 6. execute (`stages/execute.ts`): orders planned (cancel first, never cross zero in one
 *    order), the day-trade rule, and idempotent submission: every order's intent is stored
 *    before it is sent, under a client id derived from run + bar + symbol + leg, so a
 *    restart after a crash (even kill -9) sends nothing twice and loses no fill;
 *
 * and the bar is marked done (the cursor and the new sleeves) in one transaction. The
 * loop's state between bars is a `LoopState` (`loop-state.ts`); each stage receives the
 * config slice it applies, not the whole config.
 */
import type { AlpacaClient } from '@marlts/broker-alpaca';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import { observationOptions, observationSize } from '../engine/agent-design.js';
import { type AgentPair, LONG_ID, SHORT_ID, trainPair } from '../engine/agents.js';
import { retrainCadenceBars } from '../engine/cadence.js';
import { loadCheckpoint, savePairCheckpoints } from '../engine/checkpoints.js';
import type { Logger } from '../log.js';
import type { ProgressReporter } from '../progress.js';
import type { RunStore } from '../store.js';
import { BarHistory } from './history.js';
import { initialLoopState, type LiveSession, LOOP_NOTE, type LoopState, PAPER_SERIES } from './loop-state.js';
import { retrainChallengers } from './retrain.js';
import { recordBar } from './stages/bookkeeping.js';
import { decideWeights } from './stages/decide.js';
import { executeBar } from './stages/execute.js';
import { checkBrokerKnowsRun, reconcileOrders } from './stages/reconcile.js';
import { riskCheckedTargets } from './stages/risk.js';

export interface LiveLoopOptions {
  broker: AlpacaClient;
  store: RunStore;
  runId: string;
  config: AppConfig;
  configSha256: string;
  symbols: string[];
  timeframe: string;
  log: Logger;
  progress: ProgressReporter;
  signal: AbortSignal;
  /** Bars of history to fetch at start (0 = everything the broker shows). */
  historyStart?: string;
  /** Budgets when no checkpoint exists yet. */
  initialPpoSteps: number;
  initialSacSteps: number;
  /**
   * Names the champion checkpoints are stored and looked up under (default `rl-long-0` /
   * `rl-short-0`). A second market in the same run store (the demo's intraday stage) uses
   * its own names so its champions never replace the first market's.
   */
  checkpointAgents?: { long: string; short: string };
}

export interface TickResult {
  processed: boolean;
  barTime?: number;
  orders?: number;
}

/** One paper/live trading session bound to a run. */
export class LiveLoop {
  private readonly options: LiveLoopOptions;
  private readonly session: LiveSession;
  private readonly state: LoopState;
  readonly history: BarHistory;

  constructor(options: LiveLoopOptions) {
    this.options = options;
    this.session = { broker: options.broker, store: options.store, runId: options.runId, log: options.log };
    this.history = new BarHistory(options.symbols);
    this.state = initialLoopState(options.store, options.runId, options.symbols.length);
  }

  /** Bars this session processed (decided, or skipped as stale after a retrain). */
  get barsProcessed(): number {
    return this.state.barsProcessed;
  }

  /** Retrains this session completed. */
  get retrains(): number {
    return this.state.retrains;
  }

  /** The models acting now (the champions' weights). */
  private get pair(): AgentPair {
    return this.state.pair;
  }

  private get agentNames(): { long: string; short: string } {
    return this.options.checkpointAgents ?? { long: LONG_ID, short: SHORT_ID };
  }

  private get nAssets(): number {
    return this.options.symbols.length;
  }

  /** Retrain cadence in bars for the history's bar spacing. */
  retrainEveryBars(): number {
    return retrainCadenceBars(this.options.config, this.history.barMs());
  }

  // ---------------------------------------------------------------- start

  /** Loads history, the champion checkpoints (training a first pair if there are none) and reconciles. */
  async start(): Promise<void> {
    const { broker, store, runId, config, progress, signal } = this.options;
    const state = this.state;
    await this.fetchBars(this.options.historyStart ?? '1970-01-01');
    const need = config.env.windowBars + 2;
    if (this.history.size < need) {
      throw new AppError(
        'DATA',
        `the broker shows only ${this.history.size} bars of ${this.options.symbols.join(',')} (${this.options.timeframe}); the features need ${need}`,
        { hint: 'wait for more bars, use a longer history, or lower env.windowBars' },
      );
    }
    // Before any training: a broker that forgot this run cannot be traded against.
    await checkBrokerKnowsRun(this.session);
    const names = this.agentNames;
    state.champions = {
      long: store.championCheckpoint(names.long),
      short: store.championCheckpoint(names.short),
    };
    if (state.champions.long && state.champions.short) {
      state.pair = {
        long: (await loadCheckpoint(state.champions.long)) as AgentPair['long'],
        short: (await loadCheckpoint(state.champions.short)) as AgentPair['short'],
      };
      this.checkSpaces();
      this.options.log.info(
        { long: state.champions.long.version, short: state.champions.short.version },
        'loaded champion checkpoints',
      );
    } else {
      const frame = this.history.frame(config.retrain.windowBars + config.retrain.holdoutBars);
      progress.line(
        `no checkpoints in ${store.path}: training a first pair on ${frame.nBars} bars of broker history ` +
          `(${this.options.initialPpoSteps} PPO + ${this.options.initialSacSteps} SAC steps)`,
      );
      state.pair = await trainPair({
        frame,
        config,
        seed: config.seed,
        ppoSteps: this.options.initialPpoSteps,
        sacSteps: this.options.initialSacSteps,
        progress,
        label: 'initial',
        signal,
      });
      if (signal.aborted) {
        // A half-trained first pair would become the champions every later start loads.
        state.pair.long?.dispose();
        state.pair.short?.dispose();
        state.pair = { long: null, short: null };
        throw new AppError(
          'INTERRUPTED',
          'interrupted during the initial training: no checkpoint was saved',
          {
            hint: 'run the same command again to train the first pair (or `marlts train` into this --run-dir first)',
          },
        );
      }
      state.champions = await savePairCheckpoints(store, config.runDir, {
        runId,
        pair: state.pair,
        names,
        seed: config.seed,
        dataStart: frame.times[0]!,
        dataEnd: frame.times[frame.nBars - 1]!,
        configSha256: this.options.configSha256,
      });
    }
    const account = await broker.getAccount();
    if (account.tradingBlocked || account.accountBlocked) {
      throw new AppError('BROKER', 'the broker account is blocked from trading');
    }
    await this.reconcile();
    state.started = true;
  }

  private checkSpaces(): void {
    const { config } = this.options;
    const dim = observationSize(config, this.nAssets);
    const named = observationOptions(config).assetIdentity ? ' and asset identity' : '';
    for (const model of [this.pair.long, this.pair.short]) {
      const shape = (model as unknown as { observationSpace?: { shape?: number[] } })?.observationSpace
        ?.shape;
      if (shape && shape[0] !== dim) {
        throw new AppError(
          'CONFIG',
          `the checkpoints expect observations of size ${shape[0]}, but ${this.nAssets} symbols with window ${config.env.windowBars}${named} give ${dim}`,
          {
            hint: 'use the same symbols, env.windowBars, env.horizons and env.assetIdentity as in training, or a fresh --run-dir',
          },
        );
      }
    }
  }

  private async fetchBars(start: string): Promise<number> {
    const { broker, symbols, timeframe } = this.options;
    const clock = await broker.getClock();
    this.state.clockMs = clock.timestampMs;
    const bars = await broker.getBars({
      symbols,
      timeframe,
      start,
      end: new Date(clock.timestampMs).toISOString(),
    });
    return this.history.add(bars);
  }

  /** Brings every non-terminal order of the run (and its bracket legs) up to date; records fills. */
  async reconcile(): Promise<number> {
    return reconcileOrders(this.session);
  }

  // ---------------------------------------------------------------- one bar

  /** Processes the newest bar if there is one the run has not handled yet. */
  async tick(): Promise<TickResult> {
    const { store, runId } = this.options;
    await this.reconcile();
    const latestKnown = this.history.latestTime;
    await this.fetchBars(new Date(latestKnown ?? 0).toISOString());
    const t = this.history.latestTime;
    const cursor = store.getCursor(runId);
    if (t === undefined || (cursor !== undefined && t <= cursor)) return { processed: false };
    const orders = await this.processBar(t);
    if (orders === undefined) return { processed: false };
    return { processed: true, barTime: t, orders };
  }

  /**
   * Whether a retrain is due at bar `t`: `retrainEveryBars()` bars of bar time since the
   * run's last retrain decision, or since the first bar the run processed. Both come from
   * the store, so restarting the loop (however often) never resets the count.
   */
  private retrainDue(t: number): boolean {
    const { store, runId } = this.options;
    const every = this.retrainEveryBars();
    const last = store.lastRetrainBar(runId);
    const times = this.history.times();
    if (last !== undefined) return times.filter((x) => x > last && x <= t).length >= every;
    const first = store.firstEquityTime(runId, PAPER_SERIES.account) ?? t;
    return times.filter((x) => x >= first && x <= t).length >= every;
  }

  /** Sends the orders of bar `t`; the number sent, or undefined when Ctrl-C cut the bar short. */
  private async processBar(t: number): Promise<number | undefined> {
    const { store, runId, config, log, symbols } = this.options;
    const state = this.state;
    const bar = await recordBar(this.session, state, { t, history: this.history, nAssets: this.nAssets });

    // Retrain when due (bar time), before deciding on this bar.
    const due = this.retrainDue(t);
    if (due) {
      await this.retrain(t);
      // Interrupted: nothing of the retrain was kept, and this bar is decided after the restart.
      if (this.options.signal.aborted) return undefined;
      // Retraining takes time; in a fast replay the market moved on: decide on the newest bar instead.
      await this.fetchBars(new Date(t).toISOString());
      if ((this.history.latestTime ?? t) > t) {
        store.setCursor(runId, t);
        state.barsProcessed++;
        log.info(
          { bar: new Date(t).toISOString() },
          'bar went stale while retraining; deciding on the newest bar next',
        );
        return 0;
      }
    }

    const weights = decideWeights({
      pair: state.pair,
      sleeves: state.sleeves,
      history: this.history,
      t,
      prices: bar.prices,
      nAssets: this.nAssets,
      view: observationOptions(config),
      shortGrossLimit: config.env.shortGrossLimit,
    });
    const targets = await riskCheckedTargets(this.session, {
      symbols,
      weights,
      bar,
      assets: state.assets,
      env: config.env,
      risk: config.risk,
    });
    const { sent, cancels } = await executeBar(this.session, {
      t,
      bar,
      targets,
      clockMs: state.clockMs,
      orders: config.orders,
      risk: config.risk,
    });

    const sleeves = { long: [...weights.long], short: [...weights.short], decidedAt: t };
    store.transaction(() => {
      store.setCursor(runId, t);
      store.setNote(runId, LOOP_NOTE.sleeves, sleeves);
    });
    state.sleeves = sleeves;
    state.barsProcessed++;
    const { notes } = targets;
    log.debug(
      { bar: new Date(t).toISOString(), equity: bar.equity, orders: sent, cancels, notes, retrain: due },
      'bar processed',
    );
    if (notes.length > 0) log.info({ bar: new Date(t).toISOString(), notes }, 'risk rules applied');
    return sent;
  }

  // ---------------------------------------------------------------- retraining

  /** Warm-starts challengers on the newest bars and promotes each one that beats its champion on held-out bars. */
  async retrain(t: number): Promise<void> {
    const { store, runId } = this.options;
    const state = this.state;
    const done = await retrainChallengers({
      ...this.options,
      history: this.history,
      pair: state.pair,
      champions: state.champions,
      t,
      round: state.retrains,
      checkpointAgents: this.agentNames,
    });
    if (!done) return;
    state.pair = done.pair;
    state.champions = done.champions;
    state.retrains++;
    store.setNote(runId, LOOP_NOTE.lastRetrainBar, t);
  }

  /** Final reconcile and position snapshot; frees the models. */
  async finish(): Promise<void> {
    const { broker, store, runId } = this.options;
    try {
      if (!this.state.started) return;
      await this.reconcile();
      const positions = await broker.listPositions();
      const t = this.history.latestTime ?? Date.now();
      const last = store.latestPositions(runId).barTime ?? 0;
      store.snapshotPositions(
        runId,
        Math.max(t, last + 1),
        positions.map((p) => ({
          symbol: p.symbol,
          qty: p.qty,
          avgEntryPrice: p.avgEntryPrice,
          marketValue: p.marketValue,
        })),
      );
    } finally {
      this.pair.long?.dispose();
      this.pair.short?.dispose();
    }
  }
}
