// Property tests: hostile or damaged input gets this package's own error classes (never a
// TypeError, RangeError or a hang), and renewal plans keep their invariants for any clock and policy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CertificateError,
  createCa,
  CsrError,
  inWindow,
  issueCertificate,
  loadCredential,
  parseCertificates,
  parseCsr,
  planRenewals,
  PrivateKeyError,
  toDer,
} from './index.js';

const ca = await createCa({ commonName: 'CA', now: new Date('2026-01-01Z') });
const leaf = await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', now: new Date('2026-01-01Z') });

function outcome(run: () => unknown, allowed: new (...a: never[]) => Error): 'ok' | 'clean-error' {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (err instanceof allowed) return 'clean-error';
    throw err;
  }
}

describe('malformed input never escapes as a foreign error', () => {
  it('parseCertificates: arbitrary text and bytes', () => {
    fc.assert(fc.property(fc.string(), (s) => void outcome(() => parseCertificates(s, 'x'), CertificateError)), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => void outcome(() => parseCertificates(b, 'x'), CertificateError)), { numRuns: 300 });
  });

  it('parseCertificates: a real certificate, truncated or with bytes flipped (PEM and DER)', () => {
    const der = toDer(leaf.certificate);
    fc.assert(
      fc.property(fc.nat({ max: der.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: der.length }), (i, x, cut) => {
        const bad = der.slice(0, Math.max(cut, 1));
        if (i < bad.length) bad[i]! ^= x;
        outcome(() => parseCertificates(bad, 'x'), CertificateError);
        outcome(() => parseCertificates(`-----BEGIN CERTIFICATE-----\n${Buffer.from(bad).toString('base64')}\n-----END CERTIFICATE-----\n`, 'x'), CertificateError);
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.nat({ max: leaf.certPem.length }), (cut) => void outcome(() => parseCertificates(leaf.certPem.slice(0, cut), 'x'), CertificateError)), { numRuns: 200 });
  });

  it('parseCsr and loadCredential: arbitrary text', async () => {
    fc.assert(fc.property(fc.string(), (s) => void outcome(() => parseCsr(s, 'x'), CsrError)), { numRuns: 200 });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: leaf.keyPem.length }), async (cut) => {
        const err = await loadCredential({ certPem: leaf.certPem, keyPem: leaf.keyPem.slice(0, cut), source: 'k' }).then(() => undefined, (e: unknown) => e);
        if (err !== undefined) {
          expect(err).toBeInstanceOf(PrivateKeyError);
          expect((err as Error).message).not.toContain(leaf.keyPem.slice(40, 80));
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('planRenewals invariants', () => {
  it('holds for any clock, margin, interval and window', async () => {
    const certs = {
      A: leaf,
      B: await issueCertificate({ issuer: ca, profile: 'client', commonName: 'B', notBefore: new Date('2026-01-01Z'), notAfter: new Date('2026-02-10Z') }),
      C: await issueCertificate({ issuer: ca, profile: 'client', commonName: 'C', notBefore: new Date('2026-01-01Z'), notAfter: new Date('2026-01-03T05:30:00Z') }),
    };
    const window = fc.option(
      fc.record({
        hours: fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 4 }),
        daysOfMonth: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 31 }), { minLength: 1, maxLength: 6 }), { nil: undefined }),
        weekdays: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        utcOffsetMinutes: fc.option(fc.constantFrom(0, 60, -300, 330, 345), { nil: undefined }),
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2025-12-01Z'), max: new Date('2027-03-01Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 90 }),
        fc.double({ min: 0.25, max: 72, noNaN: true }),
        window,
        (now, renewBeforeDays, checkIntervalHours, maintenanceWindow) => {
          const plan = planRenewals(certs, { renewBeforeDays, checkIntervalHours, ...(maintenanceWindow ? { maintenanceWindow } : {}) }, now);
          const horizon = now.getTime() + checkIntervalHours * 3_600_000;
          expect(plan.nextCheckAt.getTime()).toBeGreaterThanOrEqual(now.getTime());
          expect(plan.nextCheckAt.getTime()).toBeLessThanOrEqual(horizon);
          for (const e of plan.entries) {
            const expired = now.getTime() > e.notAfter.getTime();
            expect(e.action === 'expired').toBe(expired);
            expect(e.reasons.length).toBeGreaterThan(0);
            if (e.action === 'renew-now' || e.action === 'expired') expect(e.at).toEqual(now);
            if (e.action === 'renew-at') {
              expect(e.at.getTime()).toBeGreaterThan(now.getTime());
              expect(e.at.getTime()).toBeLessThanOrEqual(e.notAfter.getTime()); // never scheduled past expiry
              expect(plan.nextCheckAt.getTime()).toBeLessThanOrEqual(e.at.getTime());
            }
            if (e.action === 'ok') expect(e.at.getTime()).toBeGreaterThan(horizon);
            if (maintenanceWindow && (e.action === 'renew-at' || e.action === 'ok') && !e.reasons.some((r) => r.startsWith('no maintenance window'))) {
              expect(inWindow(e.at, maintenanceWindow)).toBe(true);
            }
            const dueAt = e.notAfter.getTime() - renewBeforeDays * 86_400_000;
            if (!expired && now.getTime() < dueAt) expect(e.action === 'ok' || e.action === 'renew-at').toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
