// Where the tests' real data and reference vectors live: test/fixtures (committed; see the
// README.md beside the files for provenance and licence). MARLTS_VECTORS_DIR overrides the
// vectors folder, e.g. to run a new batch of market_step cases with no code change.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const vectorsDir = process.env.MARLTS_VECTORS_DIR || join(fixturesDir, 'vectors');

/** The text of a CSV in test/fixtures. */
export function readData(file: string): string {
  return readFileSync(join(fixturesDir, file), 'utf8');
}
