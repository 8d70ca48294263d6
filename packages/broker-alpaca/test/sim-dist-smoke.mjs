// Dist smoke test of @marlts/broker-alpaca/sim (ESM): start the built exchange, buy at market, step one bar.
import { checkWashTrade } from '@marlts/broker-alpaca';
import { parseBarsCsv, startPaperExchange } from '@marlts/broker-alpaca/sim';

const bars = parseBarsCsv(
  'symbol,date,open,high,low,close,volume\nMSFT,2000-09-27,63.4375,63.5625,59.8125,60.625,53077800\n',
);
const ex = await startPaperExchange({ bars });
try {
  const headers = { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's', 'content-type': 'application/json' };
  const res = await fetch(`${ex.url}/v2/orders`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ symbol: 'MSFT', qty: '2', side: 'buy', type: 'market', time_in_force: 'day' }),
  });
  if (res.status !== 200) throw new Error(`POST /v2/orders ${res.status}`);
  ex.advance();
  const pos = await (await fetch(`${ex.url}/v2/positions/MSFT`, { headers })).json();
  if (pos.qty !== '2' || pos.avg_entry_price !== '63.4375')
    throw new Error(`bad position ${JSON.stringify(pos)}`);
  const wash = checkWashTrade({
    order: { symbol: 'A', side: 'buy' },
    openOrders: [{ symbol: 'A', side: 'sell' }],
  });
  if (wash.ok) throw new Error('wash trade not detected');
  console.log('broker-alpaca/sim dist smoke (ESM): ok');
} finally {
  await ex.close();
}
