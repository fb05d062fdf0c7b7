// Junos start-time values: `YYYY-MM-DD.HH:MM:SS` or `YYYY-MM-DD.HH:MM` (seconds 0; the YANG
// documents the short form, `jt:time` "YYYY-MM-DD.HH:MM", and the field script's successor
// writes it), optionally followed by ` +HHMM` as Junos prints them back. The device reads an offset-less value in its own time zone, so both directions take
// `utcOffsetMinutes` (the device's offset from UTC); it defaults to 0, i.e. devices run on UTC.
import { SCANNED, daysInMonth, scanStartTime, startTimeMillis, validOffset } from './start-time-scan.js';

export interface TimeZoneOption {
  /** The device's offset from UTC in minutes (e.g. -300 for UTC-05:00). Default 0. */
  utcOffsetMinutes?: number;
}

function checkOffset(minutes: number): void {
  if (!validOffset(minutes)) throw new RangeError(`utcOffsetMinutes must be an integer in -720..840, got ${minutes}`);
}

/** Why `text` is not a Junos start-time, or null when it is one. */
export function checkStartTime(text: unknown): string | null {
  if (typeof text !== 'string') return `start-time must be a string, got ${typeof text}`;
  if (!scanStartTime(text)) return `start-time "${text}" is not YYYY-MM-DD.HH:MM[:SS]`;
  const { year, month, day, hour, minute, second } = SCANNED;
  if (year < 1970) return `start-time "${text}": year before 1970`;
  if (month < 1 || month > 12) return `start-time "${text}": month ${month} out of 1..12`;
  if (day < 1 || day > daysInMonth(year, month)) return `start-time "${text}": day ${day} out of range for ${year}-${month}`;
  if (hour > 23) return `start-time "${text}": hour ${hour} out of 0..23`;
  if (minute > 59) return `start-time "${text}": minute ${minute} out of 0..59`;
  if (second > 59) return `start-time "${text}": second ${second} out of 0..59`;
  if (SCANNED.hasOffset && (SCANNED.offsetMinutes > 59 || SCANNED.offsetHours * 60 + SCANNED.offsetMinutes > 840)) return `start-time "${text}": UTC offset out of range`;
  return null;
}

/** Parses a Junos start-time to a Date. An explicit ` +HHMM` in the text wins over the option. */
export function parseStartTime(text: string, options: TimeZoneOption = {}): Date {
  const offset = options.utcOffsetMinutes ?? 0;
  const ms = typeof text === 'string' ? startTimeMillis(text, offset) : Number.NaN;
  if (Number.isNaN(ms)) {
    const problem = checkStartTime(text);
    if (problem) throw new RangeError(problem);
    checkOffset(offset);
    // The scanner's range rules and checkStartTime's messages are two statements of one rule: a
    // value one accepts and the other refuses is a bug here, never an Invalid Date for the caller.
    throw new RangeError(`start-time "${text}" cannot be read`);
  }
  return new Date(ms);
}

// '00'..'99': the two-digit fields of a start-time without a String and a padStart each.
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));

/**
 * Formats a Date as a Junos start-time in the device's zone, without an offset suffix (what
 * `set ... start-time` takes). Sub-second parts are dropped (rounded down).
 */
export function formatStartTime(date: Date, options: TimeZoneOption = {}): string {
  const offset = options.utcOffsetMinutes ?? 0;
  checkOffset(offset);
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('formatStartTime: invalid Date');
  const local = offset === 0 ? date : new Date(ms + offset * 60_000);
  const year = local.getUTCFullYear();
  return (
    `${year >= 1000 && year <= 9999 ? year : String(year).padStart(4, '0')}-${TWO_DIGITS[local.getUTCMonth() + 1]}-${TWO_DIGITS[local.getUTCDate()]}` +
    `.${TWO_DIGITS[local.getUTCHours()]}:${TWO_DIGITS[local.getUTCMinutes()]}:${TWO_DIGITS[local.getUTCSeconds()]}`
  );
}
