/**
 * Reading daily market series from CSV: one date column and one value column, with every problem
 * reported as `file:line` so a user can open the file at the offending row.
 */

/** Thrown for replay input a user must fix: a missing file, a malformed row, a bad value. */
export class ReplayInputError extends Error {
  override readonly name = 'ReplayInputError';
  constructor(
    /** The file as the user named it. */
    readonly file: string,
    /** 1-based line number, or null when the problem is the file as a whole. */
    readonly line: number | null,
    /** What was expected and what came. */
    readonly problem: string,
  ) {
    super(`${line === null ? file : `${file}:${line}`}: ${problem}`);
  }
}

/** One row of a daily series. `value` is null when the row's value cell is empty (e.g. a market holiday). */
export interface DailyRow {
  /** ISO calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly value: number | null;
  /** 1-based line number in its file. */
  readonly line: number;
}

/** A parsed daily series, rows in ascending date order. */
export interface DailySeries {
  /** The file as the user named it (used in messages). */
  readonly file: string;
  /** The header name of the value column that was read. */
  readonly valueColumn: string;
  readonly rows: readonly DailyRow[];
  /** Rows whose value cell was empty. */
  readonly emptyRows: number;
}

/** How {@link parseDailyCsv} finds its columns and checks its values. */
export interface DailyCsvOptions {
  /** Accepted header names of the value column, case-insensitive, first match wins. */
  readonly valueColumns: readonly string[];
  /** What the value is, for messages (e.g. `S&P 500 close`). */
  readonly valueLabel: string;
  /** True when 0 is an acceptable value (a VIX may be 0; an index close may not). */
  readonly allowZero?: boolean;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Epoch ms of 00:00 UTC of an ISO date, or NaN when it is not a real calendar date. */
export function isoDateToEpochMs(date: string): number {
  const match = ISO_DATE.exec(date);
  if (match === null) return Number.NaN;
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  // Date.UTC rolls 2021-02-30 over to March; a real date survives the round trip.
  return new Date(ms).toISOString().slice(0, 10) === date ? ms : Number.NaN;
}

function show(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
}

/**
 * Parses a daily CSV (header row, then `date,…,value,…` rows) into a {@link DailySeries}.
 *
 * The first column is the date (`YYYY-MM-DD`); the value column is found by header name. An empty
 * value cell (or FRED's `.`) is kept as `value: null` and counted; blank lines are ignored; CRLF
 * line ends are accepted. Dates must be strictly ascending.
 *
 * @param text the file's content
 * @param file the file name used in messages
 * @throws {ReplayInputError} `file:line` with what was expected and what came
 */
export function parseDailyCsv(text: string, file: string, options: DailyCsvOptions): DailySeries {
  const lines = text.split('\n');
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new ReplayInputError(file, null, 'expected a CSV header and daily rows, got an empty file');
  const header = lines[headerIndex]!.replace(/\r$/, '').replace(/^\uFEFF/, '').split(',').map((h) => h.trim());
  const wanted = options.valueColumns.map((c) => c.toLowerCase());
  let valueIndex = -1;
  for (const name of wanted) {
    valueIndex = header.findIndex((h, i) => i > 0 && h.toLowerCase() === name);
    if (valueIndex > 0) break;
  }
  if (header.length < 2 || valueIndex < 1) {
    throw new ReplayInputError(
      file,
      headerIndex + 1,
      `expected a header with a date column then a ${options.valueColumns.join(' or ')} column, got ${show(header.join(','))}`,
    );
  }
  const rows: DailyRow[] = [];
  let emptyRows = 0;
  let previousDate = '';
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const line = i + 1;
    const cells = raw.split(',');
    if (cells.length !== header.length) {
      throw new ReplayInputError(file, line, `expected ${header.length} comma-separated fields (${header.join(',')}), got ${cells.length}: ${show(raw)}`);
    }
    const date = cells[0]!.trim();
    if (Number.isNaN(isoDateToEpochMs(date))) {
      throw new ReplayInputError(file, line, `${header[0]}: expected a date YYYY-MM-DD, got ${show(date)}`);
    }
    if (date <= previousDate) {
      throw new ReplayInputError(file, line, `${header[0]}: expected dates in ascending order, got ${date} after ${previousDate}`);
    }
    previousDate = date;
    const cell = cells[valueIndex]!.trim();
    if (cell === '' || cell === '.') {
      emptyRows++;
      rows.push({ date, value: null, line });
      continue;
    }
    const value = DECIMAL.test(cell) ? Number(cell) : Number.NaN;
    const minimumOk = options.allowZero === true ? value >= 0 : value > 0;
    if (!Number.isFinite(value) || !minimumOk) {
      throw new ReplayInputError(
        file,
        line,
        `${header[valueIndex]}: expected the ${options.valueLabel} as a ${options.allowZero === true ? 'non-negative' : 'positive'} number, got ${show(cell)}`,
      );
    }
    rows.push({ date, value, line });
  }
  if (rows.length === 0) throw new ReplayInputError(file, null, 'expected at least one daily row after the header, got none');
  return { file, valueColumn: header[valueIndex]!, rows, emptyRows };
}

/** Parses an S&P 500 daily file (`observation_date,SP500`; a `Close`/`CLOSE` column is accepted too). */
export function parseSpxCsv(text: string, file: string): DailySeries {
  return parseDailyCsv(text, file, { valueColumns: ['SP500', 'CLOSE'], valueLabel: 'S&P 500 close' });
}

/** Parses a VIX daily file (`DATE,OPEN,HIGH,LOW,CLOSE`); the CLOSE column is read. */
export function parseVixCsv(text: string, file: string): DailySeries {
  return parseDailyCsv(text, file, { valueColumns: ['CLOSE', 'VIX', 'VIXCLS'], valueLabel: 'VIX close', allowZero: true });
}
