// Runs the BUILT package under plain node (ESM import by package name) against a tiny
// loopback server: getAccount, an idempotent submitOrder through a 503, a local validation error.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as pkg from '@marlts/broker-alpaca';
import { AlpacaError, createAlpacaClient, isAlpacaError } from '@marlts/broker-alpaca';

const { startSmokeServer } = createRequire(import.meta.url)('./dist-smoke-server.cjs');
// Internals stay out of the published entry.
for (const name of ['RateLimiter', 'buildOrderBody', 'OrderSchema', 'decimal', 'resolveUrls'])
  assert.equal(name in pkg, false, `${name} must not be exported`);
const keyId = 'PKSMOKEKEY00000000001';
const secretKey = 'smoke-secret-000000000000000000000000000';
const server = await startSmokeServer(keyId, secretKey);
try {
  const alpaca = createAlpacaClient({ keyId, secretKey, baseUrl: server.url, retry: { baseDelayMs: 1 } });
  assert.equal(alpaca.config.env, 'paper');
  assert.equal(alpaca.config.streamUrl, server.url.replace('http:', 'ws:') + '/stream');
  const account = await alpaca.getAccount();
  assert.equal(account.equity, 1000.5);
  assert.equal(account.buyingPower, 2001);
  const order = await alpaca.submitOrder({
    symbol: 'AAPL',
    qty: 2,
    side: 'buy',
    type: 'limit',
    limitPrice: 190.5,
  });
  assert.equal(server.orders.length, 1, 'exactly one order');
  assert.equal(server.posts.length, 2);
  assert.equal(server.posts[0].client_order_id, server.posts[1].client_order_id);
  assert.equal(order.clientOrderId, server.posts[0].client_order_id);
  assert.equal(order.limitPrice, 190.5);
  assert.equal(order.filledAvgPrice, null);
  try {
    await alpaca.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit' });
    assert.fail('a limit order without a price must be rejected');
  } catch (e) {
    assert.ok(isAlpacaError(e, 'UNPROCESSABLE') && e instanceof AlpacaError, String(e));
    assert.equal(e.field, 'limitPrice');
  }
} finally {
  server.close();
}
console.log('broker-alpaca dist smoke (ESM): ok');
