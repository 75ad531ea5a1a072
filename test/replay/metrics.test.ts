import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseSpxCsv, parseVixCsv, ReplayInputError } from '../../src/replay/csv.js';
import { deriveMetrics, joinDailySeries, type TradingDay } from '../../src/replay/metrics.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const YEAR_DAYS = 365.25;

function small() {
  const spx = parseSpxCsv(fixture('spx-small.csv'), 'spx-small.csv');
  const vix = parseVixCsv(fixture('vix-small.csv'), 'vix-small.csv');
  return joinDailySeries(spx, vix);
}

describe('joinDailySeries on a hand-made pair of files', () => {
  it('keeps only the dates with a value in both files, in order', () => {
    const { days } = small();
    expect(days.map((d) => [d.index, d.date, d.close, d.vix])).toEqual([
      [0, '2020-01-01', 100, 15],
      [1, '2020-01-02', 110, 16],
      [2, '2020-01-06', 104.5, 31],
      [3, '2020-01-07', 95, 40.5],
      [4, '2020-01-08', 104.5, 22],
    ]);
  });

  it('counts every row it left out, per file and cause', () => {
    expect(small().skipped).toEqual({
      spxEmpty: 1, // 2020-01-03 (holiday)
      spxOutsideRange: 1, // 2020-01-09, after the VIX file ends
      spxUnmatched: 1, // 2020-01-04, no VIX that day
      vixEmpty: 1, // 2020-01-10
      vixOutsideRange: 1, // 2019-12-31, before the index file starts
      vixUnmatched: 1, // 2020-01-03, the index is empty that day
    });
  });

  it('rejects files whose dates do not overlap, naming both files and their line spans', () => {
    const spx = parseSpxCsv('observation_date,SP500\n2020-01-01,100\n2020-01-02,101\n', 'a.csv');
    const vix = parseVixCsv('DATE,OPEN,HIGH,LOW,CLOSE\n2019-01-01,1,1,1,20\n', 'b.csv');
    expect(() => joinDailySeries(spx, vix)).toThrow(ReplayInputError);
    expect(() => joinDailySeries(spx, vix)).toThrow(
      'a.csv: no date has a value in both files: a.csv:2-3 (2020-01-01 … 2020-01-02) and b.csv:2-2 (2019-01-01 … 2019-01-01) do not overlap',
    );
  });
});

describe('deriveMetrics against hand-computed values', () => {
  // closes 100, 110, 104.5, 95, 104.5 → returns 0, +10 %, −5 %, −9.0909 %, +10 %
  const rows = deriveMetrics(small().days, 0.08);
  const m = rows.map((r) => r.metrics);

  it('daily returns', () => {
    expect(rows.map((r) => r.dailyReturn)).toEqual([0, 110 / 100 - 1, 104.5 / 110 - 1, 95 / 104.5 - 1, 104.5 / 95 - 1]);
    expect(rows[1]!.dailyReturn).toBeCloseTo(0.1, 12);
    expect(rows[3]!.dailyReturn).toBeCloseTo(-0.0909090909, 9);
  });

  it('drawdown from the running peak', () => {
    expect(m.map((x) => x.drawdownPct)).toEqual([0, 0, 1 - 104.5 / 110, 1 - 95 / 110, 1 - 104.5 / 110]);
    expect(m[2]!.drawdownPct).toBeCloseTo(0.05, 12);
    expect(m[3]!.drawdownPct).toBeCloseTo(0.1363636364, 9);
  });

  it('daily loss, circuit breaker (ret ≤ −7 %), runs of up and down days', () => {
    expect(m.map((x) => x.dailyLossPct)).toEqual([0, 0, 1 - 104.5 / 110, 1 - 95 / 104.5, 0]);
    expect(m.map((x) => x.marketCircuitBreaker)).toEqual([false, false, false, true, false]);
    expect(m.map((x) => x.consecutiveProfitableDays)).toEqual([0, 1, 0, 0, 1]);
    expect(m.map((x) => x.consecutiveScalpLosses)).toEqual([0, 0, 1, 2, 0]);
  });

  it('VIX of the date, capital growth, CAGR over 365.25-day years, target CAGR', () => {
    expect(m.map((x) => x.vix)).toEqual([15, 16, 31, 40.5, 22]);
    expect(m.map((x) => x.capitalGrowthPct)).toEqual([0, 110 / 100 - 1, 104.5 / 100 - 1, 95 / 100 - 1, 104.5 / 100 - 1]);
    expect(m[2]!.capitalGrowthPct).toBeCloseTo(0.045, 12);
    expect(m[0]!.cagr).toBe(0);
    expect(m[1]!.cagr).toBeCloseTo(1.1 ** YEAR_DAYS - 1, 6); // one calendar day
    expect(m[2]!.cagr).toBeCloseTo(1.045 ** (YEAR_DAYS / 5) - 1, 9); // 2020-01-06 is 5 days after 2020-01-01
    expect(m[3]!.cagr).toBeCloseTo(0.95 ** (YEAR_DAYS / 6) - 1, 12);
    expect(m[4]!.cagr).toBeCloseTo(1.045 ** (YEAR_DAYS / 7) - 1, 9);
    expect(m.every((x) => x.targetCagr === 0.08)).toBe(true);
  });

  it('win rate over the returns of days 1..i (0 on day 0)', () => {
    expect(m.map((x) => x.winRate30d)).toEqual([0, 1, 1 / 2, 1 / 3, 2 / 4]);
  });

  it('the win-rate window holds at most 30 returns', () => {
    // Days 1..10 rise, days 11..35 fall.
    const days: TradingDay[] = [];
    let close = 100;
    for (let i = 0; i <= 35; i++) {
      if (i > 0) close = i <= 10 ? close + 1 : close - 1;
      const dateMs = Date.UTC(2021, 0, 1) + i * 86_400_000;
      days.push({ index: i, date: new Date(dateMs).toISOString().slice(0, 10), dateMs, close, vix: 20 });
    }
    const win = deriveMetrics(days).map((r) => r.metrics.winRate30d);
    expect(win[10]).toBe(1); // 10 of 10
    expect(win[20]).toBe(10 / 20);
    expect(win[30]).toBe(10 / 30); // returns of days 1..30
    expect(win[31]).toBe(9 / 30); // days 2..31
    expect(win[35]).toBe(5 / 30); // days 6..35
    const metrics = deriveMetrics(days).map((r) => r.metrics);
    expect(metrics[35]!.consecutiveScalpLosses).toBe(25);
    expect(metrics[35]!.targetCagr).toBe(0.08); // the default
  });

  it('returns nothing for no days', () => {
    expect(deriveMetrics([])).toEqual([]);
  });
});

describe('parseDailyCsv errors name file:line, what was expected and what came', () => {
  it('a non-numeric value', () => {
    expect(() => parseSpxCsv(fixture('spx-nonnumeric.csv'), 'spx-nonnumeric.csv')).toThrow(
      'spx-nonnumeric.csv:3: SP500: expected the S&P 500 close as a positive number, got "abc"',
    );
  });

  it('a malformed row', () => {
    expect(() => parseSpxCsv(fixture('spx-malformed.csv'), 'spx-malformed.csv')).toThrow(
      'spx-malformed.csv:3: expected 2 comma-separated fields (observation_date,SP500), got 3: "2020-01-02,101,7"',
    );
  });

  it('a bad date, dates out of order, a missing value column, an empty file', () => {
    expect(() => parseSpxCsv('observation_date,SP500\n2020-02-30,1\n', 'f.csv')).toThrow(
      'f.csv:2: observation_date: expected a date YYYY-MM-DD, got "2020-02-30"',
    );
    expect(() => parseSpxCsv('observation_date,SP500\n2020-02-03,1\n2020-02-01,1\n', 'f.csv')).toThrow(
      'f.csv:3: observation_date: expected dates in ascending order, got 2020-02-01 after 2020-02-03',
    );
    expect(() => parseVixCsv('DATE,OPEN\n2020-02-03,1\n', 'v.csv')).toThrow(
      'v.csv:1: expected a header with a date column then a CLOSE or VIX or VIXCLS column, got "DATE,OPEN"',
    );
    expect(() => parseSpxCsv('\n\n', 'e.csv')).toThrow('e.csv: expected a CSV header and daily rows, got an empty file');
    expect(() => parseSpxCsv('observation_date,SP500\n', 'h.csv')).toThrow('h.csv: expected at least one daily row');
    expect(() => parseSpxCsv('observation_date,SP500\n2020-01-01,0\n', 'z.csv')).toThrow('z.csv:2: SP500: expected the S&P 500 close as a positive number, got "0"');
  });

  it('the error carries file and line as fields', () => {
    try {
      parseSpxCsv(fixture('spx-nonnumeric.csv'), 'x.csv');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ReplayInputError);
      expect((error as ReplayInputError).file).toBe('x.csv');
      expect((error as ReplayInputError).line).toBe(3);
    }
  });
});

describe('the shipped data', () => {
  it('joins to the 2016–2026 trading days and skips the 95 empty S&P rows', () => {
    const spx = parseSpxCsv(readFileSync(new URL('../../data/sp500-daily.csv', import.meta.url), 'utf8'), 'sp500-daily.csv');
    const vix = parseVixCsv(readFileSync(new URL('../../data/vix-daily.csv', import.meta.url), 'utf8'), 'vix-daily.csv');
    const { days, skipped } = joinDailySeries(spx, vix);
    expect(skipped.spxEmpty).toBe(95);
    expect(days[0]!.date).toBe('2016-02-12');
    expect(days.at(-1)!.date).toBe('2026-02-11');
    expect(days.length + skipped.spxEmpty + skipped.spxUnmatched + skipped.spxOutsideRange).toBe(spx.rows.length);
    const covid = deriveMetrics(days).find((r) => r.day.date === '2020-03-16')!;
    expect(covid.metrics.vix).toBeCloseTo(82.69, 6);
    expect(covid.metrics.marketCircuitBreaker).toBe(true);
  });
});
