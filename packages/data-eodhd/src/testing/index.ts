/**
 * @marlts/data-eodhd/testing — a fake EODHD server for tests (yours and the app's).
 * Table of contents of the testing API.
 */
export type { FakeEodRow, FakeIntradayRow } from './fake-data.js';
export { generateEodRows, generateIntradayRows } from './fake-data.js';
export { startFakeEodhd } from './fake-server.js';
export type {
  FakeEndpoint,
  FakeEodhd,
  FakeEodhdData,
  FakeEodhdOptions,
  FakeFault,
  RecordedRequest,
} from './fake-types.js';
