// The dist smoke test, CJS half: `require` the BUILT package by name under plain node.
const { checkMarketEnv } = require('./dist-smoke-checks.cjs');

checkMarketEnv(require('@marlts/market-env'));
console.log('market-env dist smoke (CJS): ok');
