import { describe, expect, it } from 'vitest';
import {
  addMonths,
  dateInWords,
  formatDate,
  joinDateTime,
  monthGrid,
  monthTitle,
  parseDate,
  parseTime,
  splitDateTime,
  weekdayIndex,
  weekdayNames,
} from './dates';

const now = new Date(2026, 11, 1);

describe('dates as people type them', () => {
  it('reads the day first in every language, whatever the system locale', () => {
    for (const typed of ['01.12.2026', '1.12.2026', '01/12/2026', '1-12-2026', '01122026', ' 1 . 12 . 2026 ']) {
      expect(parseDate(typed, now), typed).toBe('2026-12-01');
    }
    expect(parseDate('2026-12-01', now)).toBe('2026-12-01');
  });

  it('places a two-digit year in this century up to ten years ahead, else the last', () => {
    expect(parseDate('1.12.26', now)).toBe('2026-12-01');
    expect(parseDate('1.12.36', now)).toBe('2036-12-01');
    expect(parseDate('1.12.56', now)).toBe('1956-12-01');
  });

  it('knows an empty field from a date that does not exist', () => {
    expect(parseDate('', now)).toBeNull();
    expect(parseDate('   ', now)).toBeNull();
    for (const bad of ['31.02.2026', '29.02.2025', '1.13.2026', '0.1.2026', '1.12', 'morgen', '12/31/2026']) {
      expect(parseDate(bad, now), bad).toBeUndefined();
    }
    expect(parseDate('29.02.2024', now)).toBe('2024-02-29');
  });

  it('shows a date in the app language and in words', () => {
    expect(formatDate('2026-12-01', 'de')).toBe('01.12.2026');
    expect(formatDate('2026-12-01', 'en')).toBe('01/12/2026');
    expect(formatDate('1.12', 'de')).toBe('1.12');
    expect(dateInWords('2026-12-01', 'de')).toBe('Dienstag, 1. Dezember 2026');
    expect(dateInWords('2026-12-01', 'en')).toMatch(/^Tuesday,? 1 December 2026$/); // ICU versions differ in the comma
    expect(dateInWords('nonsense', 'de')).toBe('');
  });

  it('reads times in 24 hours', () => {
    expect(parseTime('9:30')).toBe('09:30');
    expect(parseTime('09.30')).toBe('09:30');
    expect(parseTime('0930')).toBe('09:30');
    expect(parseTime('9')).toBe('09:00');
    expect(parseTime('23:59:59')).toBe('23:59:59');
    expect(parseTime('')).toBeNull();
    for (const bad of ['24:00', '9:60', '9:3', 'halb zehn']) expect(parseTime(bad), bad).toBeUndefined();
  });

  it('joins and splits date and time', () => {
    expect(joinDateTime('2026-12-01', '09:30')).toBe('2026-12-01T09:30');
    expect(joinDateTime(null, null)).toBeNull();
    expect(joinDateTime('2026-12-01', null)).toBeUndefined();
    expect(splitDateTime('2026-12-01T09:30')).toEqual({ date: '2026-12-01', time: '09:30' });
    expect(splitDateTime('')).toEqual({ date: '', time: '' });
    expect(splitDateTime('1.12T9')).toEqual({ date: '1.12', time: '9' });
  });
});

describe('the calendar', () => {
  it('starts weeks on Monday and covers the whole month', () => {
    const weeks = monthGrid('2026-12-15');
    expect(weeks[0]?.[0]).toBe('2026-11-30'); // a Monday
    expect(weeks.flat()).toContain('2026-12-31');
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weekdayIndex(weeks[0]?.[0] ?? '')).toBe(0);
    expect(weeks.at(-1)?.at(-1)).toBe('2027-01-03');
  });

  it('names days and months in the app language', () => {
    expect(weekdayNames('de')[0]?.long).toBe('Montag');
    expect(weekdayNames('en')[6]?.long).toBe('Sunday');
    expect(monthTitle('2026-12-01', 'de')).toBe('Dezember 2026');
  });

  it('moves by months without overflowing into the next', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15');
  });
});
