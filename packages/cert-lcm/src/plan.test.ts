import { describe, expect, it } from 'vitest';
import { createCa, issueCertificate, nextWindowStart, planRenewals, RenewalError, type Credential } from './index.js';

const NOW = new Date('2026-03-01T12:00:00Z'); // a Sunday
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

async function saes() {
  const ca = await createCa({ commonName: 'CA', now: at(-400) });
  const issue = (cn: string, notBefore: Date, notAfter: Date, issuer: Credential = ca) =>
    issueCertificate({ issuer, profile: 'client', commonName: cn, notBefore, notAfter });
  return {
    ca,
    fresh: await issue('SAE_FRESH', at(-10), at(355)),
    due: await issue('SAE_DUE', at(-340), at(25)),
    soon: await issue('SAE_SOON', at(-300), at(30.5)), // margin reached in 12 h
    expired: await issue('SAE_EXPIRED', at(-365), at(-1)),
  };
}

describe('planRenewals', () => {
  it('decides ok / renew-now / renew-at / expired with reasons and the next check time', async () => {
    const { fresh, due, soon, expired } = await saes();
    const plan = planRenewals({ SAE_FRESH: fresh, SAE_DUE: due, SAE_SOON: soon, SAE_EXPIRED: expired }, { renewBeforeDays: 30, checkIntervalHours: 24 }, NOW);
    const by = Object.fromEntries(plan.entries.map((e) => [e.saeId, e]));
    expect(by.SAE_FRESH).toMatchObject({ action: 'ok', at: at(325), daysLeft: 355 });
    expect(by.SAE_FRESH?.reasons).toEqual([`valid until ${at(355).toISOString()}; renewal due ${at(325).toISOString()}`]);
    expect(by.SAE_DUE).toMatchObject({ action: 'renew-now', at: NOW, daysLeft: 25 });
    expect(by.SAE_DUE?.reasons).toEqual([`expires ${at(25).toISOString()}, within the 30-day renewal margin`]);
    expect(by.SAE_SOON).toMatchObject({ action: 'renew-at', at: at(0.5) });
    expect(by.SAE_EXPIRED).toMatchObject({ action: 'expired', at: NOW, daysLeft: -1 });
    expect(by.SAE_EXPIRED?.reasons[0]).toMatch(/^expired at .*: renew immediately, outside any maintenance window$/);
    expect(plan.nextCheckAt).toEqual(at(0.5));
    expect(planRenewals({ SAE_FRESH: fresh }, { renewBeforeDays: 30, checkIntervalHours: 6 }, NOW).nextCheckAt).toEqual(at(0.25));
  });

  it('waits for the maintenance window, but never past expiry', async () => {
    const { due, fresh } = await saes();
    // The field script's schedule: midnight to 1 AM on days 1, 6, 11, …  NOW is 1 March 12:00.
    const fieldWindow = { hours: [0], daysOfMonth: [1, 6, 11, 16, 21, 26, 31] };
    const plan = planRenewals([{ saeId: 'A', certificate: due }], { renewBeforeDays: 30, maintenanceWindow: fieldWindow }, NOW);
    expect(plan.entries[0]).toMatchObject({ action: 'renew-at', at: new Date('2026-03-06T00:00:00Z') });
    expect(plan.entries[0]?.reasons).toContain('waiting for the maintenance window opening 2026-03-06T00:00:00.000Z');
    expect(plan.nextCheckAt).toEqual(at(1)); // the daily check comes first

    // Inside the window: now.
    const inside = new Date('2026-03-06T00:30:00Z');
    expect(planRenewals([{ saeId: 'A', certificate: due }], { renewBeforeDays: 30, maintenanceWindow: fieldWindow }, inside).entries[0]?.action).toBe('renew-now');

    // A certificate expiring before the next window is renewed now, outside the window.
    const soon = await issueCertificate({ issuer: (await saes()).ca, profile: 'client', commonName: 'X', notBefore: at(-1), notAfter: at(2) });
    const forced = planRenewals([{ saeId: 'X', certificate: soon }], { renewBeforeDays: 30, maintenanceWindow: fieldWindow }, NOW).entries[0]!;
    expect(forced.action).toBe('renew-now');
    expect(forced.reasons.at(-1)).toMatch(/no maintenance window opens before expiry/);

    // Not yet due: the planned date is aligned to the window, reported with 'ok'.
    const ok = planRenewals([{ saeId: 'F', certificate: fresh }], { renewBeforeDays: 30, maintenanceWindow: { hours: [2, 3], weekdays: [6] } }, NOW).entries[0]!;
    expect(ok.action).toBe('ok');
    expect(ok.at.getUTCDay()).toBe(6);
    expect(ok.at.getUTCHours()).toBe(2);
    expect(ok.at.getTime()).toBeGreaterThanOrEqual(at(325).getTime());
  });

  it('renews certificates from a retired CA or with the wrong key type at the next opportunity', async () => {
    const { fresh } = await saes();
    const newCa = await createCa({ commonName: 'CA 2026', now: at(-1) });
    const plan = planRenewals([{ saeId: 'A', certificate: fresh.certPem }], { renewBeforeDays: 30, ca: newCa, keyType: 'ed25519' }, NOW);
    expect(plan.entries[0]?.action).toBe('renew-now');
    expect(plan.entries[0]?.reasons).toEqual([
      'does not chain to the current CA: issuer CN=CA of CN=SAE_FRESH is not among the trusted CA(s) [CN=CA 2026]',
      'key type is ecdsa-p256, policy wants ed25519',
    ]);
  });

  it('rejects a bad policy, clock or certificate with errors naming them', async () => {
    const { fresh } = await saes();
    expect(() => planRenewals([{ saeId: 'A', certificate: fresh }], { renewBeforeDays: -1 }, NOW)).toThrow('renewal policy: renewBeforeDays must be a non-negative number, got -1');
    expect(() => planRenewals([], { renewBeforeDays: 1, maintenanceWindow: { hours: [24] } }, NOW)).toThrow(RenewalError);
    expect(() => planRenewals([], { renewBeforeDays: 1, maintenanceWindow: { hours: [] } }, NOW)).toThrow(/maintenanceWindow.hours must be a non-empty list/);
    expect(() => planRenewals([], { renewBeforeDays: 1 }, new Date('x'))).toThrow('planRenewals: now must be a valid Date');
    expect(() => planRenewals([{ saeId: 'SAE_Z', certificate: 'garbage' }], { renewBeforeDays: 1 }, NOW)).toThrow(/^SAE SAE_Z: no PEM/);
    expect(planRenewals([], { renewBeforeDays: 1 }, NOW)).toEqual({ now: NOW, entries: [], nextCheckAt: at(1) });
  });
});

describe('nextWindowStart', () => {
  it('honours a UTC offset, including half hours', () => {
    // 00:00-01:00 in UTC+05:30 is 18:30-19:30 UTC the day before.
    const w = { hours: [0], utcOffsetMinutes: 330 };
    expect(nextWindowStart(new Date('2026-03-01T12:00:00Z'), w)).toEqual(new Date('2026-03-01T18:30:00Z'));
    expect(nextWindowStart(new Date('2026-03-01T18:45:00Z'), w)).toEqual(new Date('2026-03-01T18:45:00Z'));
    expect(nextWindowStart(new Date('2026-03-01T12:00:00Z'), { hours: [0], daysOfMonth: [31], weekdays: [1] })).toEqual(new Date('2026-08-31T00:00:00Z'));
  });
});
