import { describe, expect, it } from 'vitest';
import { redactToken } from './redact.js';

describe('redactToken', () => {
  it('hides api_token values and literal or URL-encoded copies of the token', () => {
    const token = 'a+b/c=9';
    const url = `https://eodhd.com/api/eod/AAPL.US?api_token=${encodeURIComponent(token)}&fmt=json`;
    expect(redactToken(url, token)).toBe('https://eodhd.com/api/eod/AAPL.US?api_token=***&fmt=json');
    expect(redactToken(`server echoed ${token} and ${encodeURIComponent(token)}`, token)).toBe(
      'server echoed *** and ***',
    );
    expect(redactToken('x?API_TOKEN=zzz#frag')).toBe('x?API_TOKEN=***#frag');
  });
});
