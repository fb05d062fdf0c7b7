// What a state file on disk may hold, checked with zod on every read (instead of a cast): a file
// edited by hand, truncated by a full disk or written by another version gets an error naming the
// file and the field, never a crash deep inside a cycle. Objects are loose: a field this version
// does not know is kept, not dropped on the next write.
import { z } from 'zod';

const iso = z.string().min(1);

const keyIdEntry = z.looseObject({ link: z.string(), at: iso, kind: z.literal('fallback').optional() });

const journalEnd = z.looseObject({
  device: z.string(),
  slot: z.number().int().optional(),
  phase: z.enum(['planned', 'staged', 'confirmed', 'removed', 'failed']),
});

const journalLink = z.looseObject({
  keyId: z.string(),
  ckn: z.string(),
  keyChain: z.string(),
  connectivityAssociation: z.string(),
  mode: z.enum(['key-chain', 'static-cak']),
  ends: z.array(journalEnd),
});

const journal = z.looseObject({
  cycleId: z.string(),
  kind: z.enum(['primary', 'fallback']).optional(),
  startedAt: iso,
  startsAt: iso,
  confirmDeadline: iso.optional(),
  decision: z.looseObject({ outcome: z.literal('commit'), at: z.string(), links: z.array(z.string()) }).optional(),
  unverified: z.literal(true).optional(),
  links: z.record(z.string(), journalLink),
});

const linkState = z.looseObject({
  keyId: z.string().optional(),
  ckn: z.string().optional(),
  slots: z.record(z.string(), z.number().int()).optional(),
  activeSince: iso.optional(),
  lastSuccess: iso.optional(),
  lastAttempt: iso.optional(),
  lastError: z.string().optional(),
  fallback: z.looseObject({ keyId: z.string(), ckn: z.string(), installedAt: iso }).optional(),
});

/** Version 1: everything in one file, keyIds included (read, and migrated by the first write). */
const stateV1 = z.looseObject({
  version: z.literal(1),
  keyIds: z.record(z.string(), keyIdEntry),
  links: z.record(z.string(), linkState),
  journals: z.record(z.string(), journal).optional(),
});

/** Version 2: the journals only; key_IDs in the append-only log, links in their own file (store.ts). */
const stateV2 = z.looseObject({
  version: z.literal(2),
  journals: z.record(z.string(), journal).optional(),
});

/** The links file: what each link has now (its key, slots, times, fallback key). */
export const linksFileSchema = z.looseObject({ links: z.record(z.string(), linkState) });

export const stateFileSchema = z.discriminatedUnion('version', [stateV1, stateV2], {
  error: (issue) => (issue.code === 'invalid_union' ? 'version must be 1 or 2' : undefined),
});

/** One line of the key_ID log: `{"keyId":"…","link":"…","at":"…"}` (plus `"kind":"fallback"`). */
export const keyIdLineSchema = keyIdEntry.extend({ keyId: z.string().min(1) });

type StateFile = z.infer<typeof stateFileSchema>;

/** "links.L1.slots.r1: expected number, received string" — the first few problems, one line. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : '';
  return `${shown.join('; ')}${more}`;
}
