// After staging and confirming: take failed links' keys back off every end that may hold them.
import type { EngineContext } from './context.js';
import { redact } from './checks.js';
import { describeError } from './device-ops.js';
import { removeKeys } from './remove.js';
import type { Tx } from './tx.js';
import type { LinkError } from './types.js';

/** Remove failed links' keys from every end that may hold them (read the device to know). */
export async function cleanUp(
  ctx: EngineContext,
  failed: Tx[],
  mode: string,
  cycleId: string,
  fail: (t: Tx, e: LinkError) => void,
): Promise<void> {
  const todo = new Map<string, Tx[]>();
  for (const t of failed) {
    for (const [device, phase] of t.phase) {
      if (phase === 'staged' || phase === 'confirmed' || phase === 'failed') todo.set(device, [...(todo.get(device) ?? []), t]);
    }
  }
  await Promise.allSettled(
    [...todo.entries()].map(async ([device, list]) => {
      try {
        const removed = await removeKeys(ctx, device, list.map((t) => ({ link: t.link, keyId: t.key!.keyId, ckn: t.key!.ckn, previousPsk: t.previousPsk.get(device) })), mode, `qkd-macsec ${cycleId}: remove failed keys`);
        for (const t of list) t.phase.set(device, 'removed');
        for (const r of removed) ctx.logger.warn(`link ${r}: new key removed from ${device}; the previous key stays active`);
      } catch (e) {
        // A device may echo what it was sent: never the new CAK or the previous key's secret.
        const why = redact(describeError(e), list, device);
        for (const t of list) {
          const startsAt = t.startsAt!;
          const rollsBack = ctx.startAfterConfirmTimeout && t.phase.get(device) !== 'confirmed';
          fail(t, {
            phase: 'rollback',
            device,
            message: `could not remove key ${t.key!.keyId} from ${device}: ${why}; ${
              mode === 'fallback'
                ? 'a commit confirmed still pending there rolls back by itself; where the new key was confirmed, it is rolled forward onto the other ends instead, so that every end carries one fallback key'
                : rollsBack
                ? `an unconfirmed commit there rolls back before the start-time ${startsAt.toISOString()}`
                : `check ${device} before ${startsAt.toISOString()}: the link drops if the key activates there alone`
            }`,
          });
        }
      }
    }),
  );
}
