/**
 * The content-addressed blobs a sweep job reads: its resolved config (canonical JSON,
 * machine-local paths removed) and its data (a canonical CSV of the price frame). A job
 * names them by SHA-256, so any worker can fetch them once, check them and cache them.
 */
import { buildFrame, type PriceFrame, parseBarsCsv } from '@marlts/market-env';
import { AppError } from '../app-error.js';
import { type AppConfig, parseConfig } from '../config.js';
import { sha256, stableJson } from '../store/hash.js';
import type { BlobSource } from './job.js';

/** A blob and its hash. */
export interface Blob {
  hash: string;
  bytes: Uint8Array;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function blob(bytes: Uint8Array): Blob {
  return { hash: sha256(bytes), bytes };
}

/**
 * The config as a job sees it: the resolved config without what belongs to one machine or
 * one run (run dir, data source, log destination); the bars travel as their own blob.
 *
 * @example
 * jobConfig(config).runDir; // 'marlts-run' (the default: the worker's run dir is not the coordinator's)
 */
export function portableConfig(config: AppConfig): Record<string, unknown> {
  const { runDir: _r, data: _d, log: _l, ...rest } = config;
  return rest;
}

/**
 * The config blob of a job: canonical JSON (sorted keys) of {@link portableConfig}.
 *
 * @example
 * const { hash } = configBlob(config);
 */
export function configBlob(config: AppConfig): Blob {
  return blob(utf8.encode(stableJson(portableConfig(config))));
}

/**
 * Reads a config blob back into a resolved config (defaults for the removed parts).
 *
 * @example
 * const config = readConfigBlob(configBlob(c).bytes);
 */
export function readConfigBlob(bytes: Uint8Array, hash = sha256(bytes)): AppConfig {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8.decode(bytes));
  } catch (cause) {
    throw new AppError('DATA', `config blob ${hash} is not JSON`, { cause });
  }
  return parseConfig(value, `config blob ${hash}`);
}

/**
 * The data blob of a job: the frame as a long-format CSV (`symbol,date,open,high,low,close,volume`,
 * one row per bar and symbol, times as epoch ms, numbers in JavaScript's shortest round-trip
 * form), so reading it back gives the same numbers bit for bit.
 *
 * @example
 * const { hash, bytes } = dataBlob(frame);
 */
export function dataBlob(frame: PriceFrame): Blob {
  const N = frame.nAssets;
  const lines = ['symbol,date,open,high,low,close,volume'];
  for (let t = 0; t < frame.nBars; t++) {
    const time = new Date(frame.times[t]!).toISOString();
    for (let n = 0; n < N; n++) {
      const i = t * N + n;
      lines.push(
        `${frame.symbols[n]},${time},${frame.open[i]},${frame.high[i]},${frame.low[i]},${frame.close[i]},${frame.volume[i]}`,
      );
    }
  }
  return blob(utf8.encode(`${lines.join('\n')}\n`));
}

/**
 * Reads a data blob back into a price frame.
 *
 * @example
 * const frame = readDataBlob(dataBlob(f).bytes);
 */
export function readDataBlob(bytes: Uint8Array, hash = sha256(bytes)): PriceFrame {
  // Synthetic frames may lie in the future: no "rows after now" check for a blob.
  const bars = parseBarsCsv(fromUtf8.decode(bytes), { file: `data blob ${hash}`, now: 8.64e15 });
  return buildFrame(bars);
}

/**
 * Blobs held in memory (the coordinator's own, and what a pool worker was sent), checked
 * by hash when added.
 *
 * @example
 * const source = new MemoryBlobs([configBlob(config), dataBlob(frame)]);
 * await source.get(hash);
 */
export class MemoryBlobs implements BlobSource {
  private readonly blobs = new Map<string, Uint8Array>();

  constructor(blobs: readonly Blob[] = []) {
    for (const b of blobs) this.add(b);
  }

  /** Adds a blob; throws when its bytes do not hash to its name. */
  add(b: Blob): void {
    const actual = sha256(b.bytes);
    if (actual !== b.hash) {
      throw new AppError('DATA', `blob ${b.hash} does not match its content (SHA-256 ${actual})`);
    }
    this.blobs.set(b.hash, b.bytes);
  }

  async get(hash: string): Promise<Uint8Array> {
    const bytes = this.blobs.get(hash);
    if (!bytes) throw new AppError('NOT_FOUND', `blob ${hash} is not available to this worker`);
    return bytes;
  }
}
