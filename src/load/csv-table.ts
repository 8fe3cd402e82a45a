/**
 * Rows of a CSV file for the `csv` value generator: read once per file and run (cached by
 * absolute path), header row first, RFC 4180 quoting ("a ""quoted"" field", commas and line
 * breaks inside quotes).
 */
import { readFileSync } from 'node:fs';

/** A CSV file's header and rows. */
export interface CsvTable {
  columns: string[];
  rows: string[][];
}

const cache = new Map<string, CsvTable | string>();

/** Reads and parses `path` (absolute), or returns a sentence saying why it cannot be used. */
export function readCsvTable(path: string): CsvTable | string {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return `csv file ${path} cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))})`;
  }
  const [columns, ...rows] = parseCsv(text);
  const table: CsvTable | string =
    columns === undefined || rows.length === 0
      ? `csv file ${path} has no data rows (expected a header row and at least one row)`
      : { columns: columns.map((c) => c.trim()), rows };
  cache.set(path, table);
  return table;
}

/** Parses CSV text into rows of fields; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = (): void => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}
