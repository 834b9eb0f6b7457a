// Dates and times as people type and read them in the app's language — never the operating
// system's locale. The stored value is always ISO (`2026-12-01`, `09:30`,
// `2026-12-01T09:30`), as the engine checks it; what is shown and typed is `01.12.2026` in
// German (`01/12/2026` in English), with the date echoed in words and a calendar that starts
// on Monday.

/** The locale used for names of days and months (Latin digits everywhere). */
const LOCALES: Record<string, string> = {
  de: 'de-DE',
  en: 'en-GB',
  tr: 'tr-TR',
  ar: 'ar-u-nu-latn',
  uk: 'uk-UA',
};

export function localeOf(language: string): string {
  return LOCALES[language] ?? 'de-DE';
}

/** The separator of day, month and year as shown in `language`. */
function separator(language: string): string {
  return language === 'en' || language === 'ar' ? '/' : '.';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Year, month (1–12) and day of an ISO date. */
function ymd(iso: string): [number, number, number] {
  const [y = 0, m = 1, d = 1] = iso.split('-').map(Number);
  return [y, m, d];
}

function isoOf(y: number, m: number, d: number): string | undefined {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1) return undefined;
  if (d > daysInMonth(y, m)) return undefined;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A typed date as ISO: `null` for an empty field, `undefined` when it is not a date.
 * Day first in every language (`1.12.2026`, `01/12/2026`, `1-12-2026`, `01122026`), or ISO
 * (`2026-12-01`, what a paste from another system often is). A two-digit year is this
 * century's up to ten years ahead, else the last century's (`1.12.56` → 1956).
 */
export function parseDate(text: string, now: Date = new Date()): string | null | undefined {
  const s = text.trim();
  if (s === '') return null;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return isoOf(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\s*[./\- ]\s*(\d{1,2})\s*[./\- ]\s*(\d{2}|\d{4})$/.exec(s) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(s);
  if (!m) return undefined;
  const [, day = '', month = '', yy = ''] = m;
  let year = Number(yy);
  if (yy.length === 2) {
    const century = Math.floor(now.getFullYear() / 100) * 100;
    year = century + year > now.getFullYear() + 10 ? century - 100 + year : century + year;
  }
  return isoOf(year, Number(month), Number(day));
}

/** An ISO date as people read it in `language` (`01.12.2026`); other text unchanged. */
export function formatDate(iso: string, language: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const sep = separator(language);
  return `${m[3]}${sep}${m[2]}${sep}${m[1]}`;
}

/** How a date is typed in `language`, as a hint: `TT.MM.JJJJ`, `DD/MM/YYYY`. */
export function datePattern(language: string, words: { day: string; month: string; year: string }): string {
  const sep = separator(language);
  return `${words.day}${sep}${words.month}${sep}${words.year}`;
}

/** An ISO date in words: `Dienstag, 1. Dezember 2026`. */
export function dateInWords(iso: string, language: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return '';
  return new Intl.DateTimeFormat(localeOf(language), {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

/**
 * A typed time as ISO `HH:MM` (or `HH:MM:SS`): `null` for an empty field, `undefined` when
 * it is not a time. Accepts `9:30`, `09.30`, `0930`, `9` (the full hour).
 */
export function parseTime(text: string): string | null | undefined {
  const s = text.trim();
  if (s === '') return null;
  const m =
    /^(\d{1,2})(?:\s*[:.]\s*(\d{2})(?:\s*[:.]\s*(\d{2}))?)?$/.exec(s) ?? /^(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [h, min, sec] = [Number(m[1]), Number(m[2] ?? 0), m[3]];
  if (h > 23 || min > 59 || (sec !== undefined && Number(sec) > 59)) return undefined;
  return `${pad(h)}:${pad(min)}${sec !== undefined ? `:${sec}` : ''}`;
}

/** A date and a time as the engine's `YYYY-MM-DDTHH:MM`; `null` when both are empty. */
export function joinDateTime(date: string | null | undefined, time: string | null | undefined): string | null | undefined {
  if (date === null && time === null) return null;
  if (!date || !time) return undefined;
  return `${date}T${time}`;
}

/** The date and time parts of a stored `YYYY-MM-DDTHH:MM`, or of two texts joined by `T`. */
export function splitDateTime(value: string): { date: string; time: string } {
  const i = value.indexOf('T');
  return i < 0 ? { date: value, time: '' } : { date: value.slice(0, i), time: value.slice(i + 1) };
}

/** The ISO date `days` after `iso` (negative: before). */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = ymd(iso);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** The same day `months` later (the month's last day where it is shorter). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = ymd(iso);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return isoOf(year, month, Math.min(d, daysInMonth(year, month))) ?? iso;
}

/** Monday = 0 … Sunday = 6. */
export function weekdayIndex(iso: string): number {
  const [y, m, d] = ymd(iso);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The weeks (Monday first) that show the month of `iso`, each seven ISO dates. */
export function monthGrid(iso: string): string[][] {
  const first = `${iso.slice(0, 8)}01`;
  let day = addDays(first, -weekdayIndex(first));
  const weeks: string[][] = [];
  do {
    const week: string[] = [];
    for (let i = 0; i < 7; i++) {
      week.push(day);
      day = addDays(day, 1);
    }
    weeks.push(week);
  } while (day.slice(0, 7) === iso.slice(0, 7));
  return weeks;
}

/** Monday … Sunday, short and long, in `language`. */
export function weekdayNames(language: string): { short: string; long: string }[] {
  const short = new Intl.DateTimeFormat(localeOf(language), { weekday: 'short', timeZone: 'UTC' });
  const long = new Intl.DateTimeFormat(localeOf(language), { weekday: 'long', timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => {
    const d = new Date(Date.UTC(2024, 0, 1 + i));
    return { short: short.format(d), long: long.format(d) };
  });
}

/** `Dezember 2026` for the month of `iso`. */
export function monthTitle(iso: string, language: string): string {
  const [y, m] = ymd(iso);
  return new Intl.DateTimeFormat(localeOf(language), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, 1)),
  );
}
