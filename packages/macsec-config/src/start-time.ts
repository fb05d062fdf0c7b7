// Junos start-time values: `YYYY-MM-DD.HH:MM:SS` or `YYYY-MM-DD.HH:MM` (seconds 0; the YANG
// documents the short form, `jt:time` "YYYY-MM-DD.HH:MM", and the field script's successor
// writes it), optionally followed by ` +HHMM` as Junos prints them back. The device reads an offset-less value in its own time zone, so both directions take
// `utcOffsetMinutes` (the device's offset from UTC); it defaults to 0, i.e. devices run on UTC.

export interface TimeZoneOption {
  /** The device's offset from UTC in minutes (e.g. -300 for UTC-05:00). Default 0. */
  utcOffsetMinutes?: number;
}

const START_TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})\.(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ([+-])(\d{2})(\d{2}))?$/;

function checkOffset(minutes: number): void {
  if (!Number.isInteger(minutes) || minutes < -720 || minutes > 840) {
    throw new RangeError(`utcOffsetMinutes must be an integer in -720..840, got ${minutes}`);
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why `text` is not a Junos start-time, or null when it is one. */
export function checkStartTime(text: unknown): string | null {
  if (typeof text !== 'string') return `start-time must be a string, got ${typeof text}`;
  const m = START_TIME.exec(text);
  if (!m) return `start-time "${text}" is not YYYY-MM-DD.HH:MM[:SS]`;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (year < 1970) return `start-time "${text}": year before 1970`;
  if (month < 1 || month > 12) return `start-time "${text}": month ${month} out of 1..12`;
  if (day < 1 || day > daysInMonth(year, month)) return `start-time "${text}": day ${day} out of range for ${year}-${month}`;
  if (hour > 23) return `start-time "${text}": hour ${hour} out of 0..23`;
  if (minute > 59) return `start-time "${text}": minute ${minute} out of 0..59`;
  if (second > 59) return `start-time "${text}": second ${second} out of 0..59`;
  if (m[7]) {
    const off = Number(m[8]) * 60 + Number(m[9]);
    if (Number(m[9]) > 59 || off > 840) return `start-time "${text}": UTC offset out of range`;
  }
  return null;
}

/** Parses a Junos start-time to a Date. An explicit ` +HHMM` in the text wins over the option. */
export function parseStartTime(text: string, options: TimeZoneOption = {}): Date {
  const problem = checkStartTime(text);
  if (problem) throw new RangeError(problem);
  const m = START_TIME.exec(text)!;
  let offset = options.utcOffsetMinutes ?? 0;
  checkOffset(offset);
  if (m[7]) offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  return new Date(local - offset * 60_000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Formats a Date as a Junos start-time in the device's zone, without an offset suffix (what
 * `set ... start-time` takes). Sub-second parts are dropped (rounded down).
 */
export function formatStartTime(date: Date, options: TimeZoneOption = {}): string {
  const offset = options.utcOffsetMinutes ?? 0;
  checkOffset(offset);
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('formatStartTime: invalid Date');
  const local = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `.${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}
