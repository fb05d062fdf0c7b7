// Faults a test or a chaos run can switch on per device, at start or at any time.
import { z } from 'zod';

export const faultsSchema = z
  .object({
    /** Wall-clock delay before a commit is applied and answered (ms). */
    commitLatencyMs: z.number().int().min(0).optional(),
    /** Every commit fails with this message (true: a generic Junos commit failure). */
    commitFailure: z.union([z.boolean(), z.string().min(1)]).optional(),
    /** The next N commits fail (then commits succeed again; the count goes down as they fail). */
    failCommits: z.number().int().min(0).optional(),
    /** The SSH connection is dropped, without a reply, when RPC number N+1 of a session arrives. */
    dropAfterRpcs: z.number().int().min(0).optional(),
    /** Wall-clock delay before every RPC is handled and answered (ms). */
    rpcLatencyMs: z.number().int().min(0).optional(),
    /** RPCs are never answered (nor applied): the session hangs until the client gives up. RPCs
     *  that arrived while it was set stay unanswered after it is cleared; a new session works. */
    hangRpcs: z.boolean().optional(),
    /** "No confirm": a commit that would confirm a pending `commit confirmed` drops the SSH
     *  connection without a reply and is not applied, so the pending commit rolls back at its
     *  timeout. */
    dropOnConfirm: z.boolean().optional(),
    /** The device's clock runs this far ahead (negative: behind) of the simulator's, so its
     *  key-chain keys activate that much earlier (later) — as on a router without NTP. */
    clockSkewMs: z.number().int().optional(),
    /** Every SSH authentication attempt is refused. */
    authFailure: z.boolean().optional(),
    /** Wall-clock delay before the server sends its hello (ms). */
    helloDelayMs: z.number().int().min(0).optional(),
    /** Every RPC reply is replaced by hostile output, to test clients: malformed XML, a DOCTYPE
     *  with entity expansion, a reply larger than `bytes` (default 4 MiB), or bytes that break
     *  the framing. */
    hostileReply: z.enum(['malformed', 'entity-expansion', 'oversized', 'broken-framing']).optional(),
    hostileReplyBytes: z.number().int().min(1).optional(),
  })
  .strict();

export type Faults = z.infer<typeof faultsSchema>;

/** Validates faults; the error names every bad field ("commitLatencyMs: …"). */
export function parseFaults(input: unknown): { ok: true; faults: Faults } | { ok: false; error: string } {
  const r = faultsSchema.safeParse(input);
  if (r.success) return { ok: true, faults: r.data };
  return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

const GENERIC_COMMIT_FAILURE = 'commit failed: (statements constraint check failed)';

/** The message of a commit the faults make fail now (consuming one of `failCommits`), if any. */
export function commitFailureMessage(f: Faults): string | undefined {
  if (f.failCommits) {
    f.failCommits--;
    return typeof f.commitFailure === 'string' ? f.commitFailure : GENERIC_COMMIT_FAILURE;
  }
  if (f.commitFailure === undefined || f.commitFailure === false) return undefined;
  return f.commitFailure === true ? GENERIC_COMMIT_FAILURE : f.commitFailure;
}
