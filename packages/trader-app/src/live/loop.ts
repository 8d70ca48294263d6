/**
 * The live trading loop (paper by default). On every new bar: reconcile orders and
 * fills with the broker, snapshot positions and equity, retrain when due (warm start,
 * champion/challenger on a held-out recent window), build the same features as in
 * training, run both policies, net their targets per symbol, apply the risk rules,
 * plan orders (cancel first, never cross zero in one order) and submit them
 * idempotently: every order's intent is stored before it is sent, under a client id
 * derived from run + bar + symbol + leg, so a restart after a crash (even kill -9)
 * sends nothing twice and loses no fill.
 */
import {
  type AlpacaClient,
  type Asset,
  checkDayTradeRule,
  checkShortable,
  countDayTrades,
  isAlpacaError,
  type Order,
} from '@marlts/broker-alpaca';
import { buildObservation } from '@marlts/market-env';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import { observationOptions, observationSize } from '../engine/agent-design.js';
import { type AgentPair, LONG_ID, policyWeights, SHORT_ID, trainPair } from '../engine/agents.js';
import { retrainCadenceBars } from '../engine/cadence.js';
import { loadCheckpoint, savePairCheckpoints } from '../engine/checkpoints.js';
import type { Logger } from '../log.js';
import type { ProgressReporter } from '../progress.js';
import { isFinishedOrderStatus, type OrderRow, type RunStore } from '../store.js';
import { BarHistory } from './history.js';
import { type PlannedOrder, planOrders } from './order-plan.js';
import { type Champions, retrainChallengers } from './retrain.js';
import { applyRiskRules, fitBuyingPower } from './risk.js';
import { netTargets } from './targets.js';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One paper/live trading session bound to a run. */
export class LiveLoop {
  private readonly o: LiveLoopOptions;
  readonly history: BarHistory;
  private pair: AgentPair = { long: null, short: null };
  private champions: Champions = {
    long: undefined,
    short: undefined,
  };
  private assets = new Map<string, Asset>();
  /** Each agent's target weights of its sleeve, and the bar time it decided them on. */
  private sleeves: { long: number[]; short: number[]; decidedAt?: number };
  private bhStart: { equity: number; prices: number[] } | undefined;
  /** The broker's clock at the last bar fetch (replay time for a local exchange). */
  private clockMs = Date.now();
  barsProcessed = 0;
  retrains = 0;
  /** Set once `start` completed: `finish` reconciles only a session that began. */
  private started = false;

  constructor(options: LiveLoopOptions) {
    this.o = options;
    this.history = new BarHistory(options.symbols);
    const notes = options.store.getNotes(options.runId);
    const N = options.symbols.length;
    const saved = notes.sleeves as { long: number[]; short: number[]; decidedAt?: number } | undefined;
    this.sleeves = saved ?? { long: new Array(N).fill(0), short: new Array(N).fill(0) };
    this.bhStart = notes.bhStart as { equity: number; prices: number[] } | undefined;
  }

  private get agentNames(): { long: string; short: string } {
    return this.o.checkpointAgents ?? { long: LONG_ID, short: SHORT_ID };
  }

  private get N(): number {
    return this.o.symbols.length;
  }

  /** Retrain cadence in bars for the history's bar spacing. */
  retrainEveryBars(): number {
    return retrainCadenceBars(this.o.config, this.history.barMs());
  }

  // ---------------------------------------------------------------- start

  /** Loads history, the champion checkpoints (training a first pair if there are none) and reconciles. */
  async start(): Promise<void> {
    const { broker, store, runId, config } = this.o;
    await this.fetchBars(this.o.historyStart ?? '1970-01-01');
    const need = config.env.windowBars + 2;
    if (this.history.size < need) {
      throw new AppError(
        'DATA',
        `the broker shows only ${this.history.size} bars of ${this.o.symbols.join(',')} (${this.o.timeframe}); the features need ${need}`,
        { hint: 'wait for more bars, use a longer history, or lower env.windowBars' },
      );
    }
    // Before any training: a broker that forgot this run cannot be traded against.
    await this.checkBrokerKnowsRun();
    const names = this.agentNames;
    this.champions = {
      long: store.championCheckpoint(names.long),
      short: store.championCheckpoint(names.short),
    };
    if (this.champions.long && this.champions.short) {
      this.pair = {
        long: (await loadCheckpoint(this.champions.long)) as AgentPair['long'],
        short: (await loadCheckpoint(this.champions.short)) as AgentPair['short'],
      };
      this.checkSpaces();
      this.o.log.info(
        { long: this.champions.long.version, short: this.champions.short.version },
        'loaded champion checkpoints',
      );
    } else {
      const frame = this.history.frame(config.retrain.windowBars + config.retrain.holdoutBars);
      this.o.progress.line(
        `no checkpoints in ${store.path}: training a first pair on ${frame.nBars} bars of broker history ` +
          `(${this.o.initialPpoSteps} PPO + ${this.o.initialSacSteps} SAC steps)`,
      );
      this.pair = await trainPair({
        frame,
        config,
        seed: config.seed,
        ppoSteps: this.o.initialPpoSteps,
        sacSteps: this.o.initialSacSteps,
        progress: this.o.progress,
        label: 'initial',
        signal: this.o.signal,
      });
      if (this.o.signal.aborted) {
        // A half-trained first pair would become the champions every later start loads.
        this.pair.long?.dispose();
        this.pair.short?.dispose();
        this.pair = { long: null, short: null };
        throw new AppError(
          'INTERRUPTED',
          'interrupted during the initial training: no checkpoint was saved',
          {
            hint: 'run the same command again to train the first pair (or `marlts train` into this --run-dir first)',
          },
        );
      }
      this.champions = await savePairCheckpoints(store, config.runDir, {
        runId,
        pair: this.pair,
        names,
        seed: config.seed,
        dataStart: frame.times[0]!,
        dataEnd: frame.times[frame.nBars - 1]!,
        configSha256: this.o.configSha256,
      });
    }
    const account = await broker.getAccount();
    if (account.tradingBlocked || account.accountBlocked) {
      throw new AppError('BROKER', 'the broker account is blocked from trading');
    }
    await this.reconcile();
    this.started = true;
  }

  private checkSpaces(): void {
    const dim = observationSize(this.o.config, this.N);
    for (const m of [this.pair.long, this.pair.short]) {
      const shape = (m as unknown as { observationSpace?: { shape?: number[] } })?.observationSpace?.shape;
      if (shape && shape[0] !== dim) {
        throw new AppError(
          'CONFIG',
          `the checkpoints expect observations of size ${shape[0]}, but ${this.N} symbols with window ${this.o.config.env.windowBars} give ${dim}`,
          { hint: 'use the same symbols and env.windowBars as in training, or a fresh --run-dir' },
        );
      }
    }
  }

  // ---------------------------------------------------------------- bars

  private async fetchBars(start: string): Promise<number> {
    const clock = await this.o.broker.getClock();
    this.clockMs = clock.timestampMs;
    const bars = await this.o.broker.getBars({
      symbols: this.o.symbols,
      timeframe: this.o.timeframe,
      start,
      end: new Date(clock.timestampMs).toISOString(),
    });
    return this.history.add(bars);
  }

  // ---------------------------------------------------------------- reconcile

  /** Brings every non-terminal order of the run (and its bracket legs) up to date; records fills. */
  async reconcile(): Promise<number> {
    const { broker, store, runId } = this.o;
    const open = store.openOrders(runId);
    if (open.length === 0) return 0;
    // One listing answers most look-ups (legs come nested in their parents).
    const recent = await broker.listOrders({ status: 'all', limit: 500, nested: true, direction: 'desc' });
    const byCid = new Map<string, Order>();
    for (const p of recent) {
      byCid.set(p.clientOrderId, p);
      for (const l of p.legs ?? []) byCid.set(l.clientOrderId, l);
    }
    let fills = 0;
    const lost: typeof open = [];
    for (const o of open) {
      let order = byCid.get(o.clientOrderId);
      if (!order) {
        try {
          order = await broker.getOrderByClientId(o.clientOrderId);
        } catch (e) {
          if (isAlpacaError(e, 'NOT_FOUND')) {
            if (o.status === 'intent') {
              // Written, never reached the broker (crash before sending): nothing to undo.
              store.applyOrderUpdate(o.clientOrderId, {
                status: 'not_submitted',
                filledQty: 0,
                detail: 'not found at the broker',
              });
            } else {
              // The broker acknowledged it once and no longer knows it.
              lost.push(o);
            }
            continue;
          }
          throw e;
        }
      }
      fills += this.applyOrder(order, o.barTime);
      let legs = order.legs;
      if ((!legs || legs.length === 0) && order.orderClass === 'bracket' && !byCid.has(o.clientOrderId)) {
        legs = (await broker.getOrder(order.id, { nested: true })).legs;
      }
      for (const leg of legs ?? []) {
        if (!store.getOrder(leg.clientOrderId)) {
          store.recordOrderIntent({
            clientOrderId: leg.clientOrderId,
            runId,
            symbol: leg.symbol,
            side: leg.side === 'buy' ? 'buy' : 'sell',
            qty: leg.qty ?? 0,
            type: leg.type,
            limitPrice: leg.limitPrice,
            leg: leg.stopPrice !== null ? 'sl' : 'tp',
            barTime: o.barTime,
            request: { parent: o.clientOrderId },
          });
        }
        if (!isFinishedOrderStatus(store.getOrder(leg.clientOrderId)!.status)) {
          fills += this.applyOrder(leg, o.barTime);
        }
      }
    }
    if (lost.length > 0) throw this.diverged(lost);
    return fills;
  }

  /**
   * Looks up the run's newest acknowledged order at the broker: a broker that answers
   * "not found" was reset (a restarted `marlts sim`) or is another account, and every
   * order, fill and position the store holds for this run would diverge from it.
   */
  private async checkBrokerKnowsRun(): Promise<void> {
    const { broker, store, runId } = this.o;
    const sent = store
      .listOrders(runId)
      .filter((o) => o.brokerOrderId !== null && (o.leg === 'a' || o.leg === 'o'));
    const probe = sent.at(-1);
    if (!probe) return;
    try {
      await broker.getOrderByClientId(probe.clientOrderId);
    } catch (e) {
      if (isAlpacaError(e, 'NOT_FOUND')) throw this.diverged([probe]);
      throw e;
    }
  }

  private diverged(orders: OrderRow[]): AppError {
    const { runId } = this.o;
    const shown = orders
      .slice(0, 3)
      .map((o) => `${o.clientOrderId} ${o.side} ${o.qty} ${o.symbol}, ${o.status}`)
      .join('; ');
    return new AppError(
      'BROKER_DIVERGED',
      `the broker no longer knows ${orders.length === 1 ? 'an order' : `${orders.length} orders`} paper run ${runId} sent it (${shown}${orders.length > 3 ? '; …' : ''}): ` +
        "it was reset (a restarted `marlts sim`?) or is another account, so the run's orders, fills and positions can no longer be reconciled with it",
      {
        hint: 'start a new paper run against this broker with --new-run (or use another --run-dir); the old run stays in marlts.db for `marlts report`',
      },
    );
  }

  private applyOrder(order: Order, _barTime: number): number {
    const { store, runId } = this.o;
    const fill = store.applyOrderUpdate(order.clientOrderId, {
      status: order.status,
      brokerOrderId: order.id,
      filledQty: order.filledQty,
      filledAvgPrice: order.filledAvgPrice,
      at: order.filledAt ? Date.parse(order.filledAt) : Date.now(),
    });
    if (fill) {
      store.appendTrades(runId, [
        {
          series: 'paper/account',
          t: fill.at,
          symbol: fill.symbol,
          qty: fill.side === 'buy' ? fill.qty : -fill.qty,
          price: fill.price,
        },
      ]);
      this.o.log.debug(
        { clientOrderId: order.clientOrderId, qty: fill.qty, price: fill.price, side: fill.side },
        'fill',
      );
      return 1;
    }
    return 0;
  }

  // ---------------------------------------------------------------- one bar

  /** Processes the newest bar if there is one the run has not handled yet. */
  async tick(): Promise<TickResult> {
    const { store, runId } = this.o;
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
    const { store, runId } = this.o;
    const every = this.retrainEveryBars();
    const last = store.lastRetrainBar(runId);
    const times = this.history.times();
    if (last !== undefined) return times.filter((x) => x > last && x <= t).length >= every;
    const first = store.firstEquityTime(runId, 'paper/account') ?? t;
    return times.filter((x) => x >= first && x <= t).length >= every;
  }

  /** Sends the orders of bar `t`; the number sent, or undefined when Ctrl-C cut the bar short. */
  private async processBar(t: number): Promise<number | undefined> {
    const { broker, store, runId, config, log } = this.o;
    const N = this.N;
    const symbols = this.o.symbols;
    const [account, positions] = await Promise.all([broker.getAccount(), broker.listPositions()]);
    const prices = this.history.lastCloses(t);
    const posQty = new Map(positions.map((p) => [p.symbol, p.qty]));
    const gross = positions.reduce((a, p) => a + Math.abs(p.marketValue ?? p.qty * (p.currentPrice ?? 0)), 0);
    const equity = account.equity;
    this.bhStart ??= { equity, prices: [...prices] };
    const bh =
      (this.bhStart.equity * symbols.reduce((a, _s, n) => a + prices[n]! / this.bhStart!.prices[n]!, 0)) / N;
    store.transaction(() => {
      store.snapshotPositions(
        runId,
        t,
        positions.map((p) => ({
          symbol: p.symbol,
          qty: p.qty,
          avgEntryPrice: p.avgEntryPrice,
          marketValue: p.marketValue,
        })),
      );
      store.appendEquity(runId, 'paper/account', [
        { t, value: equity, exposure: equity > 0 ? gross / equity : 0 },
      ]);
      store.appendEquity(runId, 'paper/buy-and-hold', [{ t, value: bh, exposure: 1 }]);
      store.setNote(runId, 'bhStart', this.bhStart);
    });

    // Retrain when due (bar time), before deciding on this bar.
    const due = this.retrainDue(t);
    if (due) {
      await this.retrain(t);
      // Interrupted: nothing of the retrain was kept, and this bar is decided after the restart.
      if (this.o.signal.aborted) return undefined;
      // Retraining takes time; in a fast replay the market moved on: decide on the newest bar instead.
      await this.fetchBars(new Date(t).toISOString());
      if ((this.history.latestTime ?? t) > t) {
        store.setCursor(runId, t);
        this.barsProcessed++;
        log.info(
          { bar: new Date(t).toISOString() },
          'bar went stale while retraining; deciding on the newest bar next',
        );
        return 0;
      }
    }

    // Features → policies (the env's observation builder, same window as training).
    const view = observationOptions(config);
    const W = view.window;
    const { closes } = this.history.closes(W + 1, t);
    // In training the agent sees its weights as filled at the next bar's open and marked at
    // this bar's close, not its last targets: drift the sleeves the same way so the live
    // features equal the training features (no drift for close-only data, where open = close).
    const fillPrices =
      this.sleeves.decidedAt === undefined ? undefined : this.history.fillOpens(this.sleeves.decidedAt, t);
    const long = driftSleeve(this.sleeves.long, fillPrices, prices);
    const short = driftSleeve(this.sleeves.short, fillPrices, prices);
    const obsL = buildObservation({
      closes,
      nAssets: N,
      window: W,
      kind: view.kind,
      horizons: view.horizons,
      weights: long.weights,
      cashFraction: long.cashFraction,
    });
    const obsS = buildObservation({
      closes,
      nAssets: N,
      window: W,
      kind: view.kind,
      horizons: view.horizons,
      weights: short.weights,
      cashFraction: short.cashFraction,
    });
    const wl = policyWeights(this.pair.long, 'long', obsL, N);
    const ws = policyWeights(this.pair.short, 'short', obsS, N, config.env.shortGrossLimit);

    // Shortability (asset flags, account switch, $2,000 minimum).
    const noShort = new Set<string>();
    for (const s of symbols) {
      let asset = this.assets.get(s);
      if (!asset) {
        asset = await broker.getAsset(s);
        this.assets.set(s, asset);
      }
      const r = checkShortable({
        asset,
        qty: 1,
        equity,
        shortingEnabled: account.shortingEnabled,
      });
      if (!r.ok) noShort.add(s);
    }
    const targets = netTargets({
      symbols,
      prices,
      longWeights: wl,
      shortWeights: ws,
      equity,
      longSleeve: config.env.longSleeve,
      shortSleeve: config.env.shortSleeve,
      maxPositionWeight: config.risk.maxPositionWeight,
      noShort,
    });
    const targetQty = new Map(targets.map((x) => [x.symbol, x.qty]));
    const priceMap = new Map(symbols.map((s, n) => [s, prices[n]!]));
    const dayStart = account.lastEquity ?? equity;
    const notes = applyRiskRules(
      targetQty,
      positions,
      priceMap,
      { equity, dayStartEquity: dayStart },
      config.risk,
    );

    // Open orders at the broker (legs listed on their own).
    const open = (await broker.listOrders({ status: 'open', nested: false, limit: 500 })).flatMap((o) => [
      o,
      ...(o.legs ?? []),
    ]);
    const alreadyPlanned = new Set(
      store
        .listOrders(runId)
        .filter((o) => o.barTime === t && o.leg === 'a')
        .map((o) => o.symbol),
    );
    const plan = planOrders(
      {
        positions: posQty,
        targets: targetQty,
        prices: priceMap,
        openOrders: open
          .filter((o) => OPEN(o.status))
          .map((o) => ({ id: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side })),
      },
      {
        runId,
        barTime: t,
        orderType: config.orders.type,
        limitOffsetBps: config.orders.limitOffsetBps,
        timeInForce: config.orders.timeInForce,
        useBrackets: config.risk.useBrackets,
        stopLossPct: config.risk.stopLossPct,
        takeProfitPct: config.risk.takeProfitPct,
        minTradeUsd: config.risk.minTradeWeight * equity,
        alreadyPlanned,
      },
    );
    // Buying power: scale down buys that add exposure.
    const bpNote = fitBuyingPower(plan.orders, posQty, priceMap, account.buyingPower);
    if (bpNote) notes.push(bpNote);

    // Cancel first; wait until the broker confirms, so no new order meets an opposite one.
    for (const c of plan.cancels) {
      try {
        await broker.cancelOrder(c.id);
      } catch (e) {
        if (!isAlpacaError(e, 'NOT_FOUND') && !isAlpacaError(e, 'UNPROCESSABLE')) throw e;
      }
    }
    if (plan.cancels.length > 0) await this.waitCanceled(plan.cancels.map((c) => c.id));

    // Day-trade rule (legacy PDT only; intraday margin is enforced through buying power).
    const fills = store.listFills(runId).map((f) => ({ symbol: f.symbol, side: f.side, time: f.at }));
    const dayTrades =
      config.risk.dayTradeRule === 'legacy-pdt' ? countDayTrades(fills, { now: this.clockMs }) : 0;
    const pendingOrders = open
      .filter((o) => OPEN(o.status) && !plan.cancels.some((c) => c.id === o.id))
      .map((o) => ({ symbol: o.symbol, side: o.side === 'buy' ? ('buy' as const) : ('sell' as const) }));
    let sent = 0;
    for (const order of plan.orders) {
      if (order.qty <= 0) continue;
      const rule = checkDayTradeRule(config.risk.dayTradeRule, {
        equity: dayStart,
        dayTrades,
        order: { symbol: order.symbol, side: order.side, qty: order.qty },
        pendingOrders,
        fills,
        now: this.clockMs,
      });
      if (!rule.ok) {
        notes.push(`${order.symbol}: ${rule.reason}`);
        continue;
      }
      if (await this.submit(order, t)) sent++;
    }
    store.transaction(() => {
      store.setCursor(runId, t);
      store.setNote(runId, 'sleeves', { long: [...wl], short: [...ws], decidedAt: t });
    });
    this.sleeves = { long: [...wl], short: [...ws], decidedAt: t };
    this.barsProcessed++;
    log.debug(
      {
        bar: new Date(t).toISOString(),
        equity,
        orders: sent,
        cancels: plan.cancels.length,
        notes,
        retrain: due,
      },
      'bar processed',
    );
    if (notes.length > 0) log.info({ bar: new Date(t).toISOString(), notes }, 'risk rules applied');
    return sent;
  }

  private async waitCanceled(ids: string[]): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const open = await this.o.broker.listOrders({ status: 'open', nested: false, limit: 500 });
      const still = new Set(open.flatMap((o) => [o.id, ...(o.legs ?? []).map((l) => l.id)]));
      if (!ids.some((id) => still.has(id))) return;
      await sleep(200);
    }
    this.o.log.warn({ ids }, 'orders still open after cancel requests');
  }

  /** Records the intent, then sends; false if the order was already known (never sent twice). */
  private async submit(order: PlannedOrder, t: number): Promise<boolean> {
    const { broker, store, runId, log } = this.o;
    const request: Record<string, unknown> = {
      symbol: order.symbol,
      qty: order.qty,
      side: order.side,
      type: order.type,
      timeInForce: order.timeInForce,
      clientOrderId: order.clientOrderId,
      ...(order.limitPrice !== null ? { limitPrice: order.limitPrice } : {}),
      ...(order.bracket
        ? {
            orderClass: 'bracket',
            takeProfit: { limitPrice: order.bracket.takeProfitPrice },
            stopLoss: { stopPrice: order.bracket.stopPrice },
          }
        : {}),
    };
    const fresh = store.recordOrderIntent({
      clientOrderId: order.clientOrderId,
      runId,
      symbol: order.symbol,
      side: order.side,
      qty: order.qty,
      type: order.type,
      limitPrice: order.limitPrice,
      leg: order.leg,
      barTime: t,
      request: { ...request, thenOpen: order.thenOpen },
    });
    if (!fresh) return false;
    try {
      const ack = await broker.submitOrder(request as unknown as Parameters<AlpacaClient['submitOrder']>[0]);
      this.applyOrder(ack, t);
      return true;
    } catch (e) {
      if (
        isAlpacaError(e) &&
        e.code !== 'NETWORK' &&
        e.code !== 'RATE_LIMITED' &&
        e.code !== 'BAD_RESPONSE'
      ) {
        store.applyOrderUpdate(order.clientOrderId, {
          status: 'rejected',
          filledQty: 0,
          detail: `${e.code}: ${e.message}`,
        });
        log.warn({ clientOrderId: order.clientOrderId, code: e.code, message: e.message }, 'order rejected');
        return false;
      }
      // Outcome unknown: the intent stays; the next reconcile looks it up by client id.
      log.warn(
        { clientOrderId: order.clientOrderId, err: String(e) },
        'order outcome unknown; will reconcile',
      );
      return false;
    }
  }

  // ---------------------------------------------------------------- retraining

  /** Warm-starts challengers on the newest bars and promotes each one that beats its champion on held-out bars. */
  async retrain(t: number): Promise<void> {
    const { store, runId } = this.o;
    const done = await retrainChallengers({
      ...this.o,
      history: this.history,
      pair: this.pair,
      champions: this.champions,
      t,
      round: this.retrains,
      checkpointAgents: this.agentNames,
    });
    if (!done) return;
    this.pair = done.pair;
    this.champions = done.champions;
    this.retrains++;
    store.setNote(runId, 'lastRetrainBar', t);
  }

  /** Final reconcile and position snapshot; frees the models. */
  async finish(): Promise<void> {
    const { broker, store, runId } = this.o;
    try {
      if (!this.started) return;
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

function OPEN(status: string): boolean {
  return !isFinishedOrderStatus(status) && status !== 'done_for_day';
}

/**
 * A sleeve's weights after prices moved from `from` (the fill prices) to `to` with no trade; each position's
 * value scales by its price ratio, cash stays (for a short sleeve cash includes the
 * proceeds, so its cash fraction is above 1). This is how market-env's observation sees
 * an agent between its trades.
 * @example
 * driftSleeve([0.5, 0], [100, 10], [110, 10]) // weights ≈ [0.5238, 0], cashFraction ≈ 0.4762
 */
export function driftSleeve(
  weights: readonly number[],
  from: ArrayLike<number> | undefined,
  to: ArrayLike<number>,
): { weights: number[]; cashFraction: number } {
  const cash = 1 - weights.reduce((a, w) => a + w, 0);
  if (!from) return { weights: [...weights], cashFraction: cash };
  const moved = weights.map((w, i) => (from[i]! > 0 && to[i]! > 0 ? (w * to[i]!) / from[i]! : w));
  const value = cash + moved.reduce((a, w) => a + w, 0);
  if (!(value > 0)) return { weights: [...weights], cashFraction: cash };
  return { weights: moved.map((w) => w / value), cashFraction: cash / value };
}
