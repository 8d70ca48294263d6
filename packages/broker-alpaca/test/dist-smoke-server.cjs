// A tiny Alpaca-shaped server for the dist smoke tests (plain node, no build step).
// Answers GET /v2/account, POST /v2/orders (the first POST gets a 503 without creating the
// order, so the client must look it up by client order id and resend the same id),
// GET /v2/orders:by_client_order_id.
const http = require('node:http');

function startSmokeServer(keyId, secretKey) {
  const orders = [];
  const posts = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-remaining': '199' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (req.headers['apca-api-key-id'] !== keyId || req.headers['apca-api-secret-key'] !== secretKey)
        return send(401, { code: 40110000, message: 'request is not authorized' });
      if (req.method === 'GET' && url.pathname === '/v2/account')
        return send(200, {
          id: 'acct',
          status: 'ACTIVE',
          currency: 'USD',
          cash: '1000.5',
          equity: '1000.5',
          buying_power: '2001',
        });
      if (req.method === 'POST' && url.pathname === '/v2/orders') {
        const body = JSON.parse(text);
        posts.push(body);
        if (posts.length === 1) return send(503, { message: 'service unavailable' });
        if (orders.some((o) => o.client_order_id === body.client_order_id))
          return send(422, { code: 40010001, message: 'client_order_id must be unique' });
        const order = {
          id: `order-${orders.length + 1}`,
          client_order_id: body.client_order_id,
          symbol: body.symbol,
          qty: body.qty,
          notional: null,
          filled_qty: '0',
          filled_avg_price: null,
          order_class: '',
          type: body.type,
          side: body.side,
          time_in_force: body.time_in_force,
          limit_price: body.limit_price ?? null,
          stop_price: null,
          status: 'accepted',
          extended_hours: false,
          legs: null,
          created_at: '2026-11-20T15:00:00.123456789Z',
        };
        orders.push(order);
        return send(200, order);
      }
      if (req.method === 'GET' && url.pathname === '/v2/orders:by_client_order_id') {
        const o = orders.find((x) => x.client_order_id === url.searchParams.get('client_order_id'));
        return o ? send(200, o) : send(404, { code: 40410000, message: 'order not found' });
      }
      send(404, { code: 40410000, message: 'not found' });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        orders,
        posts,
        close: () => server.close(),
      });
    });
  });
}

module.exports = { startSmokeServer };
