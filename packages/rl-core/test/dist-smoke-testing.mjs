// ESM half of test/dist-smoke-testing.cjs: the `/testing` entry imported on its own.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as testing from '@marlts/rl-core/testing';

const require = createRequire(import.meta.url);
const { checkTestingEntry } = require('./dist-smoke-testing.cjs');
await checkTestingEntry(testing, tf, fileURLToPath(import.meta.resolve('@marlts/rl-core/testing')));
console.log('rl-core dist smoke, testing entry (ESM): ok');
