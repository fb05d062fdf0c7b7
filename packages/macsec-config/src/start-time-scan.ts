// Reads a Junos start-time (`YYYY-MM-DD.HH:MM[:SS][ +HHMM]`) with one pass over its characters
// and no allocation: the ring planner reads every key of a chain for each plan, several plans a
// link and cycle, and a regex match (array and capture strings) plus a Date per key was most of
// what planning allocated. start-time.ts builds the messages and Dates from this.

/** The fields of a start-time; `scanStartTime` fills the one instance, SCANNED. */
export interface StartTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** The ` +HHMM` suffix, when present: sign, hours, minutes. */
  hasOffset: boolean;
  offsetSign: number;
  offsetHours: number;
  offsetMinutes: number;
}

/** What the last scanStartTime read (overwritten by the next; nothing here calls back out). */
export const SCANNED: StartTimeFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, hasOffset: false, offsetSign: 1, offsetHours: 0, offsetMinutes: 0 };

let at = 0;
let value = 0;

/** Reads `min`..`max` ASCII digits at `at` into `value`; false when fewer than `min`. */
function digits(text: string, min: number, max: number): boolean {
  let n = 0;
  let count = 0;
  while (count < max && at < text.length) {
    const d = text.charCodeAt(at) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    at++;
    count++;
  }
  value = n;
  return count >= min;
}

function literal(text: string, char: number): boolean {
  if (text.charCodeAt(at) !== char) return false;
  at++;
  return true;
}

const DASH = 45;
const DOT = 46;
const COLON = 58;
const SPACE = 32;
const PLUS = 43;

/**
 * Whether `text` has the form `YYYY-MM-DD.HH:MM[:SS][ ±HHMM]` (month, day and hour one or two
 * digits); fills SCANNED. Ranges are not checked here (startTimeRangeProblem, startTimeMillis).
 */
export function scanStartTime(text: string): boolean {
  const f = SCANNED;
  at = 0;
  if (!digits(text, 4, 4)) return false;
  f.year = value;
  if (!literal(text, DASH) || !digits(text, 1, 2)) return false;
  f.month = value;
  if (!literal(text, DASH) || !digits(text, 1, 2)) return false;
  f.day = value;
  if (!literal(text, DOT) || !digits(text, 1, 2)) return false;
  f.hour = value;
  if (!literal(text, COLON) || !digits(text, 2, 2)) return false;
  f.minute = value;
  f.second = 0;
  if (literal(text, COLON)) {
    if (!digits(text, 2, 2)) return false;
    f.second = value;
  }
  f.hasOffset = false;
  if (literal(text, SPACE)) {
    const sign = text.charCodeAt(at);
    if (sign !== PLUS && sign !== DASH) return false;
    at++;
    f.offsetSign = sign === DASH ? -1 : 1;
    if (!digits(text, 2, 2)) return false;
    f.offsetHours = value;
    if (!digits(text, 2, 2)) return false;
    f.offsetMinutes = value;
    f.hasOffset = true;
  }
  return at === text.length;
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** Whether the scanned fields are a real time (what checkStartTime words as messages). */
function inRange(f: StartTimeFields): boolean {
  if (f.year < 1970 || f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month)) return false;
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return false;
  return !f.hasOffset || (f.offsetMinutes <= 59 && f.offsetHours * 60 + f.offsetMinutes <= 840);
}

/** Whether `minutes` is a UTC offset a device can have (-720..840). */
export const validOffset = (minutes: number) => Number.isInteger(minutes) && minutes >= -720 && minutes <= 840;

/**
 * The instant of a start-time in milliseconds, read in a zone `utcOffsetMinutes` from UTC unless
 * the text carries its own offset; NaN when the text or the offset is bad (parseStartTime says why).
 */
export function startTimeMillis(text: string, utcOffsetMinutes: number): number {
  if (!scanStartTime(text) || !inRange(SCANNED) || !validOffset(utcOffsetMinutes)) return Number.NaN;
  const f = SCANNED;
  const offset = f.hasOffset ? f.offsetSign * (f.offsetHours * 60 + f.offsetMinutes) : utcOffsetMinutes;
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - offset * 60_000;
}
