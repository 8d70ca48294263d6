/**
 * A fake EODHD server: a real HTTP server on 127.0.0.1 that answers the documented
 * endpoints the way api-contracts.md (part B) describes EODHD — intraday with Unix
 * second ranges and the per-interval span cap, EOD as CSV unless `fmt=json`, the
 * plain-text `Unauthenticated` 401, call costs with a daily quota (402) and a
 * per-minute limit (429 + `Retry-After`) — plus faults injected on demand. Data come
 * from files (`dataDir`), from memory (`data`), or from a deterministic generator.
 * Every request is recorded so tests can assert windowing, `fmt=json` and costs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COST, cost, DEMO_TICKERS, json, type Reply, serveRoute, statusReply, text } from './fake-routes.js';
import type { FakeEodhd, FakeEodhdOptions, FakeFault, RecordedRequest } from './fake-types.js';

/**
 * Starts the fake on 127.0.0.1 with an OS-chosen port.
 *
 * @example
 * import { startFakeEodhd } from '@marlts/data-eodhd/testing';
 * const fake = await startFakeEodhd({ faults: [{ kind: 'status', status: 429, retryAfterSec: 1 }] });
 * const client = createEodhdClient({ apiToken: fake.token, baseUrl: fake.url });
 * await client.eod('AAPL.US', { from: '2024-01-01', to: '2024-01-31' });
 * fake.requests.length; // 2: the 429, then the retry
 * await fake.close();
 */
export async function startFakeEodhd(options: FakeEodhdOptions = {}): Promise<FakeEodhd> {
  const token = options.token ?? 'test-token';
  const now = options.now ?? (() => Date.now());
  let faults: (FakeFault & { times: number })[] = [];
  const setFaults = (list: FakeFault[]) => {
    faults = list.map((f) => ({ ...f, times: f.times ?? 1 }));
  };
  setFaults(options.faults ?? []);
  const requests: RecordedRequest[] = [];
  const quota = { day: '', used: 0 };
  const minute: number[] = [];

  const takeFault = (endpoint: string): FakeFault | undefined => {
    const fault = faults.find((f) => f.times > 0 && (f.endpoint === undefined || f.endpoint === endpoint));
    if (fault) fault.times--;
    return fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const endpoint = parts[0] === 'api' ? (parts[1] ?? '') : '';
    const target = parts[2];
    const query = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'api_token'));
    const given = url.searchParams.get('api_token');
    const tokenValid =
      given === token || (given === 'demo' && (target === undefined || DEMO_TICKERS.has(target)));
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      endpoint,
      target,
      query,
      tokenValid,
      status: 0,
      at: Date.now(),
      cost: 0,
    };
    requests.push(record);

    let reply = checkAccess(given, tokenValid, endpoint, target);
    const fault = reply ? undefined : takeFault(endpoint);
    if (!reply && fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (!reply && fault?.kind === 'status')
      reply = statusReply(fault.status, fault.retryAfterSec, fault.body);
    if (!reply) reply = limits(endpoint, query);
    if (!reply) {
      try {
        reply = serveRoute({ options, now, callsUsed: () => quota.used }, endpoint, target, query, fault);
      } catch (error) {
        reply = json(500, { error: `fake server bug: ${String(error)}` });
      }
    }
    if (reply.status >= 200 && reply.status < 300) {
      record.cost = cost(endpoint, query);
      quota.used += record.cost;
    }
    record.status = reply.status;
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': reply.type, ...rateHeaders(), ...reply.headers });
    res.end(reply.body);
  };

  const checkAccess = (
    given: string | null,
    valid: boolean,
    endpoint: string,
    target: string | undefined,
  ): Reply | undefined => {
    if (!(endpoint in COST)) return text(404, 'Not Found');
    if (given === 'demo' && !valid && target !== undefined)
      return json(403, { error: 'Only demo tickers are available with the demo key' });
    if (!valid) return text(401, 'Unauthenticated');
    return undefined;
  };

  const limits = (endpoint: string, query: Record<string, string>): Reply | undefined => {
    const t = now();
    const day = new Date(t).toISOString().slice(0, 10);
    if (quota.day !== day) Object.assign(quota, { day, used: 0 });
    const rpm = options.requestsPerMinute ?? Number.POSITIVE_INFINITY;
    while (minute.length > 0 && minute[0]! <= Date.now() - 60_000) minute.shift();
    if (minute.length >= rpm) return statusReply(429, options.retryAfterSec ?? 60);
    minute.push(Date.now());
    const limit = options.dailyCallLimit ?? Number.POSITIVE_INFINITY;
    if (quota.used + cost(endpoint, query) > limit) return statusReply(402);
    return undefined;
  };

  const rateHeaders = (): Record<string, string> => {
    const rpm = options.requestsPerMinute ?? 1000;
    return {
      'x-ratelimit-limit': String(rpm),
      'x-ratelimit-remaining': String(Math.max(0, rpm - minute.length)),
    };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake server bug: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    token,
    requests,
    get callsCharged() {
      return requests.reduce((sum, r) => sum + r.cost, 0);
    },
    setFaults,
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
