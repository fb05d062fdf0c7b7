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

  // The regex this package used before the scanner (start-time-scan.ts), as the reference: the
  // scanner must accept, refuse and read exactly what it did.
  const REFERENCE = /^(\d{4})-(\d{1,2})-(\d{1,2})\.(\d{1,2}):(\d{2})(?::(\d{2}))?(?: ([+-])(\d{2})(\d{2}))?$/;
  function reference(text: string, utcOffsetMinutes: number): number | 'bad' {
    const m = REFERENCE.exec(text);
    if (!m) return 'bad';
    const [y, mo, d, h, mi, sec] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || sec > 59) return 'bad';
    let offset = utcOffsetMinutes;
    if (m[7]) {
      if (Number(m[9]) > 59 || Number(m[8]) * 60 + Number(m[9]) > 840) return 'bad';
      offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
    }
    return Date.UTC(y, mo - 1, d, h, mi, sec) - offset * 60_000;
  }

  it('accepts and reads exactly what the reference regex did (property)', () => {
    // Strings near the format: digits and the separators, in start-time-like runs.
    const piece = fc.constantFrom('0', '1', '2', '9', '00', '12', '29', '31', '59', '60', '1970', '2026', '2024', '-', '.', ':', ' ', '+', 'x');
    const nearly = fc.array(piece, { maxLength: 14 }).map((p) => p.join(''));
    const shaped = fc
      .tuple(fc.integer({ min: 1960, max: 2400 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.option(fc.integer({ min: 0, max: 60 })), fc.option(fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 60 }))), fc.boolean())
      .map(([y, mo, d, h, mi, sec, off, pad]) => {
        const two = (n: number) => String(n).padStart(pad ? 2 : 1, '0');
        return `${y}-${two(mo)}-${two(d)}.${two(h)}:${String(mi).padStart(2, '0')}${sec === null ? '' : `:${String(sec).padStart(2, '0')}`}${off === null ? '' : ` ${off[0]}${String(off[1]).padStart(2, '0')}${String(off[2]).padStart(2, '0')}`}`;
      });
    fc.assert(
      fc.property(fc.oneof(nearly, shaped), fc.integer({ min: -720, max: 840 }), (text, utcOffsetMinutes) => {
        const want = reference(text, utcOffsetMinutes);
        expect(checkStartTime(text) === null).toBe(want !== 'bad');
        if (want === 'bad') expect(() => parseStartTime(text, { utcOffsetMinutes })).toThrow(RangeError);
        else expect(parseStartTime(text, { utcOffsetMinutes }).getTime()).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });
});
