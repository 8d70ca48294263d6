/**
 * Turns a 2xx response text into data. EODHD answers JSON when asked (`fmt=json`),
 * but `/api/eod` falls back to CSV when the parameter is lost (a proxy, a typo), and
 * maintenance pages can come back as HTML. A CSV body with a header row is salvaged
 * into the same objects JSON would give (the call is already paid for); anything
 * else is a `BAD_RESPONSE`.
 */
import { EodhdError } from './errors.js';

/** The decoded body and the format it came in. */
export interface DecodedBody {
  body: unknown;
  format: 'json' | 'csv';
}

/**
 * Decodes a response body: JSON first, then CSV with a header row.
 *
 * @example
 * decodeBody('Date,Open,Close\n2024-01-02,1,2\n', 'eod/AAPL.US');
 * // { format: 'csv', body: [{ date: '2024-01-02', open: '1', close: '2' }] }
 */
export function decodeBody(text: string, what: string): DecodedBody {
  const trimmed = text.trim();
  if (trimmed === '') return { body: [], format: 'json' };
  try {
    return { body: JSON.parse(trimmed), format: 'json' };
  } catch {
    const csv = parseCsvBody(trimmed);
    if (csv !== undefined) return { body: csv, format: 'csv' };
    const snippet = trimmed.slice(0, 80).replace(/\s+/g, ' ');
    throw new EodhdError(
      'BAD_RESPONSE',
      `${what}: the body is neither JSON nor CSV with a header (starts with "${snippet}")`,
      { field: '(body)' },
    );
  }
}

/**
 * CSV with a header → objects keyed by the lower-cased header (`Adjusted_close` →
 * `adjusted_close`). Cell values stay strings; the zod schemas convert them. Returns
 * `undefined` when the text does not look like a CSV table.
 */
export function parseCsvBody(text: string): Record<string, string>[] | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim().toLowerCase());
  if (!header || header.length < 2 || !header.every((h) => /^[a-z_][a-z0-9_]*$/.test(h))) return undefined;
  const rows: Record<string, string>[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    // EODHD's CSV sometimes ends with a bare summary line; rows of another width are not data.
    if (cells.length !== header.length) continue;
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      row[h] = cells[i]!.trim();
    });
    rows.push(row);
  }
  return rows;
}
