// Dist smoke test of @marlts/broker-alpaca/sim (CJS): start the built exchange, buy at market, step one bar.
const { checkShortable } = require('@marlts/broker-alpaca');
const { parseBarsCsv, startPaperExchange } = require('@marlts/broker-alpaca/sim');

(async () => {
  const bars = parseBarsCsv(
    'symbol,date,open,high,low,close,volume\nMSFT,2000-09-27,63.4375,63.5625,59.8125,60.625,53077800\n',
  );
  const ex = await startPaperExchange({ bars });
  try {
    const headers = {
      'APCA-API-KEY-ID': 'k',
      'APCA-API-SECRET-KEY': 's',
      'content-type': 'application/json',
    };
    const res = await fetch(`${ex.url}/v2/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ symbol: 'MSFT', qty: '2', side: 'sell', type: 'market', time_in_force: 'day' }),
    });
    if (res.status !== 200) throw new Error(`POST /v2/orders ${res.status}`);
    ex.advance();
    const pos = await (await fetch(`${ex.url}/v2/positions/MSFT`, { headers })).json();
    if (pos.qty !== '-2' || pos.side !== 'short') throw new Error(`bad position ${JSON.stringify(pos)}`);
    const r = checkShortable({
      asset: { symbol: 'X', shortable: true, easy_to_borrow: true },
      qty: 0.5,
      equity: 5000,
    });
    if (r.ok) throw new Error('fractional short not refused');
    console.log('broker-alpaca/sim dist smoke (CJS): ok');
  } finally {
    await ex.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
