/**
 * Durations in the `ms` package's notation ("30m", "1h", "4s", "2 days"), which Infisical's
 * temporary access (`temporaryRange`) takes. One home for the client's check and the embedded
 * server's, so both accept exactly the same strings.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** `ms` counts a year as 365.25 days. */
const YEAR = 365.25 * DAY;

const UNITS: Record<string, number> = {
  "": 1,
  ms: 1,
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
  s: SECOND,
  sec: SECOND,
  secs: SECOND,
  second: SECOND,
  seconds: SECOND,
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  h: HOUR,
  hr: HOUR,
  hrs: HOUR,
  hour: HOUR,
  hours: HOUR,
  d: DAY,
  day: DAY,
  days: DAY,
  w: 7 * DAY,
  week: 7 * DAY,
  weeks: 7 * DAY,
  y: YEAR,
  yr: YEAR,
  yrs: YEAR,
  year: YEAR,
  years: YEAR,
};

/** `ms` refuses longer strings. */
const MAX_LENGTH = 100;
/** Our ceiling: a window end must stay a valid date; nobody grants temporary access for longer. */
export const MAX_TEMPORARY_RANGE_MS = 100 * YEAR;

const DURATION = /^(-?\d*\.?\d+) *([a-z]*)$/i;

/** Milliseconds for an `ms`-style duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > MAX_LENGTH) return undefined;
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const unit = UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  return Number.parseFloat(match[1]!) * unit;
}

/** Why a temporary range is not acceptable, or undefined: positive, and at most 100 years. */
export function temporaryRangeProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined || !(ms > 0)) {
    return 'must be a positive duration such as "30m", "1h", "7d" or "4s" (a number and one of the units ms, s, m, h, d, w, y)';
  }
  if (ms > MAX_TEMPORARY_RANGE_MS) return "must be at most 100 years";
  return undefined;
}
