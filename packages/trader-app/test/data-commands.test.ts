// `marlts data fetch` against the fake EODHD server (real HTTP on loopback) and
// `marlts data import` of a real file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPaperExchange } from '@marlts/broker-alpaca/sim';
import { startFakeEodhd } from '@marlts/data-eodhd/testing';
import { describe, expect, it } from 'vitest';
import { loadBars } from '../src/engine/data.js';
import { main } from '../src/main.js';

function io(env: NodeJS.ProcessEnv, cwd?: string) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      env,
      isTty: false,
      ...(cwd ? { cwd } : {}),
    },
  };
}

describe('data commands', () => {
  it('fetches intraday bars from EODHD into the cache and reports the API calls spent', async () => {
    const fake = await startFakeEodhd();
    try {
      const runDir = mkdtempSync(join(tmpdir(), 'marlts-fetch-'));
      const c = io({ EODHD_API_TOKEN: fake.token });
      const code = await main(
        [
          'data',
          'fetch',
          '--symbols',
          'AAPL.US,MSFT.US',
          '--interval',
          '1h',
          '--from',
          '2024-03-04',
          '--to',
          '2024-03-08',
          '--eodhd-url',
          fake.url,
          '--run-dir',
          runDir,
          '-q',
          '--log-level',
          'silent',
        ],
        c.io,
      );
      expect(c.err.join('')).toBe('');
      expect(code).toBe(0);
      const text = c.out.join('');
      expect(text).toMatch(/API calls spent: 10/); // two intraday requests at 5 calls each
      const file = /→ (\S+\.csv)/.exec(text)![1]!;
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('symbol,timestamp,open,high,low,close,volume');
      expect(lines.length).toBeGreaterThan(20);
      // The fetched file is valid input for the app.
      const i = io({});
      expect(await main(['data', 'import', file, '--run-dir', runDir], i.io)).toBe(0);
      expect(i.out.join('')).toContain('2 symbol(s) (AAPL.US,MSFT.US)');
    } finally {
      await fake.close();
    }
  });

  it('says so when the EODHD token is wrong', async () => {
    const fake = await startFakeEodhd();
    try {
      const c = io({ EODHD_API_TOKEN: 'wrong-token' });
      const code = await main(
        [
          'data',
          'fetch',
          '--symbols',
          'AAPL.US',
          '--from',
          '2024-03-04',
          '--to',
          '2024-03-05',
          '--eodhd-url',
          fake.url,
          '--run-dir',
          mkdtempSync(join(tmpdir(), 'marlts-fetch-')),
          '-q',
          '--log-level',
          'silent',
        ],
        c.io,
      );
      expect(code).toBe(1);
      expect(c.err.join('')).toMatch(/^marlts: EODHD: /);
      expect(c.err.join('')).not.toContain('wrong-token');
    } finally {
      await fake.close();
    }
  });

  it('reads the token from .env in the working directory (the environment wins)', async () => {
    const fake = await startFakeEodhd();
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'marlts-dotenv-'));
      writeFileSync(join(cwd, '.env'), `EODHD_API_TOKEN=${fake.token}\n`);
      const c = io({}, cwd);
      const args = [
        'data',
        'fetch',
        '--symbols',
        'AAPL.US',
        '--interval',
        '1d',
        '--from',
        '2024-03-04',
        '--to',
        '2024-03-08',
        '--eodhd-url',
        fake.url,
        '-q',
        '--log-level',
        'silent',
      ];
      const code = await main(args, c.io);
      expect(c.err.join('')).toBe('');
      expect(code).toBe(0);
      expect(c.out.join('')).toMatch(/API calls spent: 1\b/);
      const w = io({ EODHD_API_TOKEN: 'set-in-the-environment' }, cwd);
      // (a fresh cache: the first answer is cached and needs no token)
      expect(await main([...args, '--run-dir', join(cwd, 'other')], w.io)).toBe(1);
      expect(w.err.join('')).toMatch(/^marlts: EODHD: /);
    } finally {
      await fake.close();
    }
  });

  it('fetches bars from an Alpaca-compatible market-data API', async () => {
    const { bars } = loadBars({ symbols: ['AA', 'KO'], start: '2000-01-01', end: '2000-03-31' });
    const ex = await startPaperExchange({ bars, rateLimitPerMinute: 0 });
    try {
      ex.runToEnd();
      const runDir = mkdtempSync(join(tmpdir(), 'marlts-alpaca-fetch-'));
      const c = io({ ALPACA_KEY_ID: 'key', ALPACA_SECRET_KEY: 'secret' });
      const code = await main(
        [
          'data',
          'fetch',
          '--source',
          'alpaca',
          '--symbols',
          'AA,KO',
          '--interval',
          '1d',
          '--from',
          '2000-01-01',
          '--to',
          '2000-03-31',
          '--alpaca-data-url',
          ex.url,
          '--run-dir',
          runDir,
          '-q',
          '--log-level',
          'silent',
        ],
        c.io,
      );
      expect(c.err.join('')).toBe('');
      expect(code).toBe(0);
      const file = /→ (\S+\.csv)/.exec(c.out.join(''))![1]!;
      const again = loadBars({ file });
      expect(again.symbols.sort()).toEqual(['AA', 'KO']);
      expect(again.frame.nBars).toBe(bars.length / 2);
    } finally {
      await ex.close();
    }
  });
});
