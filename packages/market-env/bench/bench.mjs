// market-env benchmark on the BUILT package (run `pnpm build` first):
// 10 assets, 4 agents (1 learned + momentum, mean reversion, market maker), window 32, one core.
// Prints progress lines, then ONE JSON object as the last stdout line.
import {
  asSingleAgentEnv,
  createBarsCsvParser,
  createFrameBuilder,
  generateSyntheticFrame,
  MarketEnv,
  MarketVecEnv,
} from '@marlts/market-env';

const ASSETS = 10;
const WINDOW = 32;
const frame = generateSyntheticFrame({ nAssets: ASSETS, nBars: 5000, seed: 1 });
const envOptions = {
  frame,
  window: WINDOW,
  episodeLength: 252,
  agents: [
    { kind: 'learned', role: 'long' },
    { kind: 'momentum' },
    { kind: 'mean-reversion' },
    { kind: 'market-maker' },
  ],
};
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
let peakRss = process.memoryUsage().rss;
const sampleRss = () => {
  const r = process.memoryUsage().rss;
  if (r > peakRss) peakRss = r;
};

// Returns [steps per wall-clock second, steps per CPU second of this process]. On a shared,
// loaded machine the second figure is the fairer "one core" number.
function timeLoop(stepOnce) {
  // warm-up, then run for `seconds` of wall time in batches
  for (let i = 0; i < 20_000; i++) stepOnce(i);
  let steps = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const limit = BigInt(Math.round(seconds * 1e9));
  for (;;) {
    for (let i = 0; i < 10_000; i++) stepOnce(i);
    steps += 10_000;
    sampleRss();
    if (process.hrtime.bigint() - t0 >= limit) break;
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return [steps / wall, steps / ((cpu.user + cpu.system) / 1e6)];
}

const action = new Float64Array(ASSETS);
for (let i = 0; i < ASSETS; i++) action[i] = (i % 3) / 10;

// 1. One env, hot path: all 4 agents step, observations built for all of them.
const env = new MarketEnv(envOptions);
env.resetArrays({ seed: 0 });
const [single, singleCpu] = timeLoop(() => {
  if (env.done) env.resetArrays();
  env.stepArrays(action);
});
console.log(
  `single env (stepArrays): ${single.toFixed(0)} env steps/s (${singleCpu.toFixed(0)} per CPU-second)`,
);

// 2. The Gym-style single-agent view (fresh obs copy + info per step).
const view = asSingleAgentEnv(new MarketEnv(envOptions), 'rl-long-0');
view.reset({ seed: 0 });
const [gym] = timeLoop(() => {
  const r = view.step(action);
  if (r.terminated || r.truncated) view.reset();
});
console.log(`single-agent Env view (step): ${gym.toFixed(0)} env steps/s`);

// 3. 16 vectorised envs, auto-reset; counted in env steps (16 per vec step).
const vec = new MarketVecEnv({ nEnvs: 16, env: envOptions, agentId: 'rl-long-0' });
vec.reset({ seed: 0 });
const vecActions = new Float32Array(16 * ASSETS);
for (let i = 0; i < vecActions.length; i++) vecActions[i] = ((i % ASSETS) % 3) / 10;
const [vecWall, vecCpu] = timeLoop(() => vec.step(vecActions));
const vecSteps = vecWall * 16;
console.log(
  `16 vectorised envs: ${vecSteps.toFixed(0)} env steps/s (${(vecCpu * 16).toFixed(0)} per CPU-second)`,
);

// 4. CSV streaming (docs/csv.md): 1M OHLCV rows of 8 symbols, generated in 1 MB chunks
// (no file), through the incremental parser into a frame builder. Only push/add/build are
// timed; the RSS growth says the bars live in typed arrays, not in a string or objects.
const CSV_ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const csvSymbols = ['AAPL', 'MSFT', 'AMZN', 'GOOG', 'META', 'NVDA', 'TSLA', 'JPM'];
const rssBefore = process.memoryUsage().rss;
const parser = createBarsCsvParser({ file: 'bench.csv' });
const builder = createFrameBuilder();
let csvMs = 0;
let csvBytes = 0;
const feed = (text) => {
  csvBytes += text.length;
  const t = performance.now();
  for (const b of parser.push(text)) builder.add(b);
  csvMs += performance.now() - t;
};
let chunk = 'symbol,timestamp,open,high,low,close,volume\n';
for (let r = 0; r < CSV_ROWS; r++) {
  const s = r % csvSymbols.length;
  const ts = new Date(Date.UTC(2015, 0, 5) + Math.floor(r / csvSymbols.length) * 60_000).toISOString();
  const p = 100 + ((r * 7) % 1000) / 100;
  chunk += `${csvSymbols[s]},${ts},${p.toFixed(2)},${(p + 0.5).toFixed(2)},${(p - 0.5).toFixed(2)},${(p + 0.1).toFixed(2)},${r % 9973}\n`;
  if (chunk.length > 1 << 20) {
    feed(chunk);
    chunk = '';
  }
}
feed(chunk);
const tBuild = performance.now();
for (const b of parser.end()) builder.add(b);
const csvFrame = builder.build();
csvMs += performance.now() - tBuild;
const csvRssGrowth = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
console.log(
  `CSV stream → frame: ${CSV_ROWS} rows (${(csvBytes / 1e6).toFixed(0)} MB) in ${(csvMs / 1000).toFixed(1)} s = ` +
    `${Math.round(CSV_ROWS / (csvMs / 1000))} rows/s, ${csvFrame.nBars} × ${csvFrame.nAssets} frame, RSS +${csvRssGrowth.toFixed(0)} MB`,
);

console.log(
  JSON.stringify({
    assets: ASSETS,
    agents: 4,
    window: WINDOW,
    single_env_steps_per_s: Math.round(single),
    vec16_steps_per_s: Math.round(vecSteps),
    peak_rss_mb: Math.round((peakRss / 2 ** 20) * 10) / 10,
    single_agent_view_steps_per_s: Math.round(gym),
    single_env_steps_per_cpu_s: Math.round(singleCpu),
    vec16_steps_per_cpu_s: Math.round(vecCpu * 16),
    seconds_per_measure: seconds,
    csv_rows: CSV_ROWS,
    csv_rows_per_s: Math.round(CSV_ROWS / (csvMs / 1000)),
    csv_rss_growth_mb: Math.round(csvRssGrowth),
    node: process.version,
  }),
);
