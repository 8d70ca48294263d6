// The dist smoke test, ESM half: `import` the BUILT package by name under plain node.
import * as marketEnv from '@marlts/market-env';
import checks from './dist-smoke-checks.cjs';

checks.checkMarketEnv(marketEnv);
console.log('market-env dist smoke (ESM): ok');
