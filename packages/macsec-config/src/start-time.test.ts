import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStartTime, formatStartTime, parseStartTime } from './start-time.js';

describe('start-time', () => {
  it('formats a Date in UTC by default, zero-padded, seconds rounded down', () => {
    expect(formatStartTime(new Date('2026-03-04T05:06:07.999Z'))).toBe('2026-03-04.05:06:07');
  });

  it('formats in the device zone when given an offset', () => {
    const d = new Date('2026-01-01T02:30:00Z');
    expect(formatStartTime(d, { utcOffsetMinutes: -300 })).toBe('2025-12-31.21:30:00');
    expect(formatStartTime(d, { utcOffsetMinutes: 330 })).toBe('2026-01-01.08:00:00');
  });

  it('parses what Junos prints back, with or without an offset and padding', () => {
    expect(parseStartTime('2026-11-24.20:30:00').toISOString()).toBe('2026-11-24T20:30:00.000Z');
    expect(parseStartTime('2020-9-1.16:50:00 -0700').toISOString()).toBe('2020-09-01T23:50:00.000Z');
    expect(parseStartTime('2021-7-7.8:40:00 +0000').toISOString()).toBe('2021-07-07T08:40:00.000Z');
    // An offset in the text wins over the option.
    expect(parseStartTime('2021-07-07.08:40:00 +0100', { utcOffsetMinutes: -300 }).toISOString()).toBe('2021-07-07T07:40:00.000Z');
    expect(parseStartTime('2021-07-07.08:40:00', { utcOffsetMinutes: 60 }).toISOString()).toBe('2021-07-07T07:40:00.000Z');
  });

  it('rejects impossible dates and bad formats with the reason', () => {
    expect(checkStartTime('2026-02-29.00:00:00')).toMatch(/day 29 out of range/);
    expect(checkStartTime('2024-02-29.00:00:00')).toBeNull();
    expect(checkStartTime('2026-13-01.00:00:00')).toMatch(/month 13/);
    expect(checkStartTime('2026-01-01.24:00:00')).toMatch(/hour 24/);
    expect(checkStartTime('2026-01-01.23:60:00')).toMatch(/minute 60/);
    expect(checkStartTime('2026-01-01.23:00:60')).toMatch(/second 60/);
    expect(checkStartTime('2026-01-01 23:00:00')).toMatch(/not YYYY-MM-DD.HH:MM\[:SS\]/);
    expect(checkStartTime('1969-12-31.23:59:59')).toMatch(/before 1970/);
    expect(checkStartTime('2026-01-01.00:00:00 +1500')).toMatch(/offset out of range/);
    expect(checkStartTime(42)).toMatch(/must be a string/);
    expect(() => parseStartTime('now')).toThrow(RangeError);
    expect(() => formatStartTime(new Date(Number.NaN))).toThrow(/invalid Date/);
    expect(() => formatStartTime(new Date(), { utcOffsetMinutes: 10_000 })).toThrow(/utcOffsetMinutes/);
  });

  it('round-trips any second-aligned date in any zone (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: -720, max: 840 }),
        (date, utcOffsetMinutes) => {
          const aligned = new Date(Math.floor(date.getTime() / 1000) * 1000);
          const text = formatStartTime(aligned, { utcOffsetMinutes });
          expect(checkStartTime(text)).toBeNull();
          expect(parseStartTime(text, { utcOffsetMinutes }).getTime()).toBe(aligned.getTime());
        },
      ),
    );
  });
});
