// The Node side of the browser test: the same training on the BUILT package under plain node,
// for each backend named on the command line; prints one JSON object keyed by backend.
import * as rl from '@marlts/rl-core';
import { train } from './train.mjs';

const out = {};
for (const backend of process.argv.slice(2)) out[backend] = await train(rl, { backend });
process.stdout.write(JSON.stringify(out));
