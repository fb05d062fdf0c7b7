// Deciding which SAE certificates to renew and when. Pure: the caller passes the certificates,
// the policy and the time; nothing here reads a clock or a file.
import { DAY_MS } from './build-certificate.js';
import { verifyChain } from './check.js';
import { RenewalError } from './errors.js';
import { describeCertificate, toCertificate, type CertificateInput } from './inspect.js';
import type { KeyType } from './key-types.js';

const HOUR_MS = 3_600_000;

/**
 * When renewals may run. A moment is inside the window when its wall-clock hour is in `hours`
 * and, if given, its day of month is in `daysOfMonth` and its weekday (0 = Sunday) in `weekdays`.
 * Wall clock = UTC + `utcOffsetMinutes` (default 0). The field script's fixed "between midnight
 * and 1 AM on days 1, 6, 11, …" is `{ hours: [0], daysOfMonth: [1, 6, 11, 16, 21, 26, 31] }`.
 */
export interface MaintenanceWindow {
  hours: number[];
  daysOfMonth?: number[];
  weekdays?: number[];
  utcOffsetMinutes?: number;
}

export interface RenewalPolicy {
  /** Renew this many days before notAfter. */
  renewBeforeDays: number;
  /** How often the caller re-plans. Default 24. */
  checkIntervalHours?: number;
  maintenanceWindow?: MaintenanceWindow;
  /** Current trusted CA(s): a certificate that does not chain to them is renewed at the next opportunity. */
  ca?: CertificateInput | CertificateInput[];
  /** Desired key type: a certificate with another key type is renewed at the next opportunity. */
  keyType?: KeyType;
}

export type RenewalAction = 'ok' | 'renew-now' | 'renew-at' | 'expired';

export interface PlannedRenewal {
  saeId: string;
  action: RenewalAction;
  /** For 'renew-at': when to renew. For 'ok': when the renewal will come due (informational). For 'renew-now'/'expired': now. */
  at: Date;
  subject: string;
  serial: string;
  notAfter: Date;
  /** Days from now to notAfter (negative once expired). */
  daysLeft: number;
  reasons: string[];
}

export interface RenewalPlan {
  now: Date;
  entries: PlannedRenewal[];
  /** The earlier of now + checkInterval and the first 'renew-at'. */
  nextCheckAt: Date;
}

export interface PlanInput {
  saeId: string;
  certificate: CertificateInput;
}

function checkPolicy(policy: RenewalPolicy): void {
  const bad = (what: string) => {
    throw new RenewalError(`renewal policy: ${what}`, { source: 'renewal policy' });
  };
  if (!Number.isFinite(policy?.renewBeforeDays) || policy.renewBeforeDays < 0) bad(`renewBeforeDays must be a non-negative number, got ${String(policy?.renewBeforeDays)}`);
  const interval = policy.checkIntervalHours ?? 24;
  if (!Number.isFinite(interval) || interval <= 0) bad(`checkIntervalHours must be a positive number, got ${String(interval)}`);
  const w = policy.maintenanceWindow;
  if (w) {
    const ints = (list: unknown, lo: number, hi: number) => Array.isArray(list) && list.length > 0 && list.every((n) => Number.isInteger(n) && n >= lo && n <= hi);
    if (!ints(w.hours, 0, 23)) bad(`maintenanceWindow.hours must be a non-empty list of hours 0..23, got ${JSON.stringify(w.hours)}`);
    if (w.daysOfMonth !== undefined && !ints(w.daysOfMonth, 1, 31)) bad(`maintenanceWindow.daysOfMonth must be a non-empty list of days 1..31, got ${JSON.stringify(w.daysOfMonth)}`);
    if (w.weekdays !== undefined && !ints(w.weekdays, 0, 6)) bad(`maintenanceWindow.weekdays must be a non-empty list of weekdays 0..6 (0 = Sunday), got ${JSON.stringify(w.weekdays)}`);
    if (w.utcOffsetMinutes !== undefined && (!Number.isInteger(w.utcOffsetMinutes) || Math.abs(w.utcOffsetMinutes) > 14 * 60)) bad(`maintenanceWindow.utcOffsetMinutes must be an integer within ±840`);
  }
}

export function inWindow(t: Date, w: MaintenanceWindow): boolean {
  const wall = new Date(t.getTime() + (w.utcOffsetMinutes ?? 0) * 60_000);
  return (
    w.hours.includes(wall.getUTCHours()) &&
    (w.daysOfMonth === undefined || w.daysOfMonth.includes(wall.getUTCDate())) &&
    (w.weekdays === undefined || w.weekdays.includes(wall.getUTCDay()))
  );
}

/** `t` itself when inside the window, else the start of the next window hour (searching ~13 months). */
export function nextWindowStart(t: Date, w: MaintenanceWindow): Date | undefined {
  if (inWindow(t, w)) return t;
  const offset = (w.utcOffsetMinutes ?? 0) * 60_000;
  // Hour boundaries of the wall clock (offsets may be half hours).
  let next = Math.floor((t.getTime() + offset) / HOUR_MS) * HOUR_MS + HOUR_MS - offset;
  for (let i = 0; i < 400 * 24; i++, next += HOUR_MS) {
    if (inWindow(new Date(next), w)) return new Date(next);
  }
  return undefined;
}

const iso = (d: Date) => d.toISOString();

/**
 * Per SAE: 'expired' (renew immediately, window or not: the link is already failing),
 * 'renew-now', 'renew-at' (due before the next check, or due now but waiting for the window) or
 * 'ok'; each with the reasons. A certificate not chaining to `policy.ca` or with a key type other
 * than `policy.keyType` is due now.
 */
export function planRenewals(certs: PlanInput[] | Record<string, CertificateInput>, policy: RenewalPolicy, now: Date): RenewalPlan {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new RenewalError(`planRenewals: now must be a valid Date`, { source: 'planRenewals' });
  checkPolicy(policy);
  const inputs: PlanInput[] = Array.isArray(certs) ? certs : Object.entries(certs).map(([saeId, certificate]) => ({ saeId, certificate }));
  const intervalMs = (policy.checkIntervalHours ?? 24) * HOUR_MS;
  const horizon = now.getTime() + intervalMs;
  const entries = inputs.map(({ saeId, certificate }) => planOne(saeId, toCertificate(certificate, `SAE ${saeId}`), policy, now, horizon));
  const firstRenewAt = Math.min(...entries.filter((e) => e.action === 'renew-at').map((e) => e.at.getTime()));
  return { now, entries, nextCheckAt: new Date(Math.min(horizon, firstRenewAt)) };
}

function planOne(saeId: string, cert: ReturnType<typeof toCertificate>, policy: RenewalPolicy, now: Date, horizon: number): PlannedRenewal {
  const info = describeCertificate(cert);
  const notAfter = cert.notAfter;
  const base = { saeId, subject: cert.subject, serial: cert.serialNumber, notAfter, daysLeft: Math.floor(((notAfter.getTime() - now.getTime()) / DAY_MS) * 10) / 10 };
  if (now.getTime() > notAfter.getTime()) {
    return { ...base, action: 'expired', at: now, reasons: [`expired at ${iso(notAfter)}: renew immediately, outside any maintenance window`] };
  }
  const reasons: string[] = [];
  let forced = false;
  if (policy.ca !== undefined) {
    const chain = verifyChain(cert, { ca: policy.ca, now });
    const wrong = chain.problems.filter((p) => p.code !== 'not-yet-valid');
    if (wrong.length) {
      forced = true;
      reasons.push(`does not chain to the current CA: ${wrong.map((p) => p.message).join('; ')}`);
    }
  }
  if (policy.keyType !== undefined && info.keyType !== policy.keyType) {
    forced = true;
    reasons.push(`key type is ${info.keyType ?? info.keyDescription}, policy wants ${policy.keyType}`);
  }
  if (now.getTime() < cert.notBefore.getTime()) reasons.push(`not valid before ${iso(cert.notBefore)}`);

  const dueAt = new Date(notAfter.getTime() - policy.renewBeforeDays * DAY_MS);
  const due = forced || dueAt.getTime() <= now.getTime();
  if (!forced && due) reasons.push(`expires ${iso(notAfter)}, within the ${policy.renewBeforeDays}-day renewal margin`);
  let at = due ? now : dueAt;
  const window = policy.maintenanceWindow;
  if (window) {
    const opens = nextWindowStart(at, window);
    if (opens && opens.getTime() < notAfter.getTime()) {
      if (due && opens.getTime() !== at.getTime()) reasons.push(`waiting for the maintenance window opening ${iso(opens)}`);
      at = opens;
    } else {
      reasons.push(`no maintenance window opens before expiry at ${iso(notAfter)}: renewing outside the window`);
    }
  }
  if (due && at.getTime() <= now.getTime()) return { ...base, action: 'renew-now', at: now, reasons };
  if (due || at.getTime() <= horizon) {
    if (!due) reasons.push(`renewal comes due at ${iso(dueAt)}, before the next check`);
    return { ...base, action: 'renew-at', at, reasons };
  }
  reasons.push(`valid until ${iso(notAfter)}; renewal due ${iso(at)}${at.getTime() !== dueAt.getTime() ? ' (first maintenance window after the margin)' : ''}`);
  return { ...base, action: 'ok', at, reasons };
}
