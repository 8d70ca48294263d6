import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from './app-error.js';
import { demoConfig } from './commands/demo.js';
import {
  describeConfig,
  loadConfig,
  loadDotEnv,
  minTradeWeight,
  parseConfig,
  readSecrets,
} from './config.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'marlts-config-'));
}

describe('config', () => {
  it('fills defaults and lets overrides win over the file', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'marlts.config.json'),
      JSON.stringify({ seed: 7, risk: { maxPositionWeight: 0.1 } }),
    );
    const { config, source } = loadConfig({ cwd: dir, overrides: { seed: 9 } });
    expect(source).toBe(join(dir, 'marlts.config.json'));
    expect(config.seed).toBe(9);
    expect(config.risk.maxPositionWeight).toBe(0.1);
    expect(config.risk.stopLossPct).toBe(0.05);
    expect(config.train.ppo.nSteps).toBeGreaterThan(0);
  });

  it('reads a config file that starts with a UTF-8 byte-order mark (Notepad, PowerShell)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${JSON.stringify({ seed: 5 })}`, 'utf8');
    expect(loadConfig({ cwd: dir, configPath: 'bom.json' }).config.seed).toBe(5);
    writeFileSync(join(dir, '.env'), '\uFEFFALPACA_KEY_ID=PKBOM\n', 'utf8');
    const env: NodeJS.ProcessEnv = {};
    loadDotEnv(dir, env);
    expect(env.ALPACA_KEY_ID).toBe('PKBOM');
  });

  it('refuses a directory as --config, naming it', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'conf'));
    expect(() => loadConfig({ cwd: dir, configPath: 'conf' })).toThrow(/--config .*conf is a directory/);
  });

  it('masks credentials inside URLs in --verbose output', () => {
    const config = parseConfig({ broker: { url: 'http://trader:S3CRET-PW@127.0.0.1:9' } });
    const text = describeConfig(config, readSecrets({}));
    expect(text).toContain('http://trader:***@127.0.0.1:9');
    expect(text).not.toContain('S3CRET-PW');
  });

  it('names the field of a wrong type', () => {
    try {
      parseConfig({ risk: { maxPositionWeight: 'big' } });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e, 'CONFIG')).toBe(true);
      expect((e as Error).message).toContain('risk.maxPositionWeight');
    }
  });

  it("gives the short agent round 7's budget, and the demo keeps its own small one", () => {
    const c = parseConfig({});
    expect([c.train.sac.totalTimesteps, c.backtest.sacSteps]).toEqual([4500, 1200]);
    const demo = demoConfig(c, false);
    expect([demo.train.sac.totalTimesteps, demo.backtest.sacSteps]).toEqual([1500, 200]);
    // The rest of the user's SAC settings still reach the demo.
    expect(demoConfig(parseConfig({ train: { sac: { gamma: 0.5 } } }), false).train.sac.gamma).toBe(0.5);
  });

  it("takes SAC's entropy coefficient as 'auto', 'auto_<init>' or a number, naming the field otherwise", () => {
    expect(parseConfig({}).train.sac.entCoef).toBe('auto_0.1');
    expect(parseConfig({ train: { sac: { entCoef: 0.2 } } }).train.sac.entCoef).toBe(0.2);
    expect(() => parseConfig({ train: { sac: { entCoef: 'automatic' } } })).toThrow(
      /train\.sac\.entCoef.*'auto_<init>'/,
    );
    expect(() => parseConfig({ env: { horizons: [0, 5] } })).toThrow(/env\.horizons/);
  });

  it("takes risk.minTradeWeight as 'auto' (30 % of an equal weight) or a fraction, naming the field otherwise", () => {
    const risk = parseConfig({}).risk;
    expect(risk.minTradeWeight).toBe('auto');
    expect(minTradeWeight(risk, 10)).toBeCloseTo(0.03, 12);
    expect(minTradeWeight(risk, 50)).toBeCloseTo(0.006, 12);
    expect(minTradeWeight(parseConfig({ risk: { minTradeWeight: 0.01 } }).risk, 50)).toBe(0.01);
    expect(() => parseConfig({ risk: { minTradeWeight: 'small' } })).toThrow(/risk\.minTradeWeight/);
    expect(() => parseConfig({ train: { sac: { neutralGross: 1 } } })).toThrow(/train\.sac\.neutralGross/);
  });

  it('names an unknown (misspelt) field', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ backtest: { seedz: 3 } }));
    expect(() => loadConfig({ cwd: dir, configPath: 'c.json' })).toThrow(/backtest\.seedz/);
  });

  it('refuses secrets in the config file and non-JSON files', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ alpacaSecretKey: 'x' }));
    expect(() => loadConfig({ cwd: dir, configPath: 'a.json' })).toThrow(/environment/);
    writeFileSync(join(dir, 'b.json'), '{ nope');
    expect(() => loadConfig({ cwd: dir, configPath: 'b.json' })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ cwd: dir, configPath: 'missing.json' })).toThrow(/not found/);
  });

  it('reads secrets only from the environment and redacts them', () => {
    const secrets = readSecrets({
      ALPACA_KEY_ID: 'PKTESTKEY123456',
      ALPACA_SECRET_KEY: 'supersecretvalue99',
    });
    expect(secrets.alpacaEnv).toBe('paper');
    const text = describeConfig(parseConfig({}), secrets);
    expect(text).not.toContain('supersecretvalue99');
    expect(text).not.toContain('PKTESTKEY123456');
    expect(text).toContain('"EODHD_API_TOKEN": "(not set)"');
    expect(text).toContain('***99');
    expect(() => readSecrets({ ALPACA_ENV: 'prod' })).toThrow(/ALPACA_ENV/);
  });
});
