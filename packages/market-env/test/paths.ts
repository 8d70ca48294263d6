// Where the shared data and reference vectors live: <repo>/../shared, unless overridden.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

export const dataDir = process.env.MARLTS_DATA_DIR ?? join(repoRoot, '../shared/data');
export const vectorsDir = process.env.MARLTS_VECTORS_DIR ?? join(repoRoot, '../shared/vectors');

export function readData(file: string): string {
  return readFileSync(join(dataDir, file), 'utf8');
}
