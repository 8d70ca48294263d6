// CJS half of the dist smoke test: require() of the built package under plain node.
const assert = require('node:assert/strict');
const { createAlpacaClient, isAlpacaError } = require('@marlts/broker-alpaca');
const { startSmokeServer } = require('./dist-smoke-server.cjs');

(async () => {
  const keyId = 'PKSMOKEKEY00000000002';
  const secretKey = 'smoke-secret-cjs-0000000000000000000000';
  const server = await startSmokeServer(keyId, secretKey);
  try {
    const alpaca = createAlpacaClient({ keyId, secretKey, baseUrl: server.url, retry: { baseDelayMs: 1 } });
    const account = await alpaca.getAccount();
    assert.equal(account.cash, 1000.5);
    const order = await alpaca.submitOrder({ symbol: 'MSFT', qty: '0.5', side: 'buy' });
    assert.equal(server.orders.length, 1);
    assert.equal(server.posts[1].qty, '0.5');
    assert.equal(order.qty, 0.5);
    const bad = createAlpacaClient({ keyId, secretKey: 'wrong-secret-000000000', baseUrl: server.url });
    await assert.rejects(bad.getAccount(), (e) => isAlpacaError(e, 'AUTH') && !e.message.includes(secretKey));
  } finally {
    server.close();
  }
  console.log('broker-alpaca dist smoke (CJS): ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
