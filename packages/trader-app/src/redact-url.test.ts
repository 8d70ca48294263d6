import { describe, expect, it } from 'vitest';
import { redactUrlSecrets } from './redact-url.js';

describe('redactUrlSecrets', () => {
  it('masks the password of URL userinfo, keeping the user name', () => {
    expect(redactUrlSecrets('cannot reach the broker at http://me:hunter2@127.0.0.1:9/v2/account')).toBe(
      'cannot reach the broker at http://me:***@127.0.0.1:9/v2/account',
    );
    expect(redactUrlSecrets('{"url":"https://u:p%40ss@api.example.com"}')).toBe(
      '{"url":"https://u:***@api.example.com"}',
    );
  });

  it('masks a token used as the user name, and credential query parameters', () => {
    expect(redactUrlSecrets('wss://ghp_abcdef123@stream.example.com/x')).toBe(
      'wss://***@stream.example.com/x',
    );
    expect(redactUrlSecrets('GET https://eodhd.com/api/eod/AAPL?api_token=DEMO123&fmt=json')).toBe(
      'GET https://eodhd.com/api/eod/AAPL?api_token=***&fmt=json',
    );
    expect(redactUrlSecrets('https://h/x?fmt=json&apikey=abc')).toBe('https://h/x?fmt=json&apikey=***');
  });

  it('leaves text without credentials alone', () => {
    for (const t of [
      'http://127.0.0.1:8080/v2/orders?status=open&limit=50',
      'paper exchange at http://127.0.0.1:41234 replaying bars.csv',
      'mail me@example.com, ratio a=b',
    ]) {
      expect(redactUrlSecrets(t)).toBe(t);
    }
  });
});
