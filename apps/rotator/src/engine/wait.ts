// Waiting for a start-time in a way close() can interrupt.
import type { EngineContext } from './context.js';

/** Thrown by a cycle interrupted by close(): the journal keeps its transactions for the next run. */
export class RotatorClosedError extends Error {
  override name = 'RotatorClosedError';
}

/**
 * Waits for the start-time unless the rotator is closed meanwhile (SIGTERM). Abandoning here is
 * safe: every end is confirmed, the keys activate at their start-times without us, and the next run's resume
 * checks MKA and records the keys.
 */
export async function waitOrClose(ctx: EngineContext, ms: number): Promise<void> {
  if (ctx.closing.aborted) throw new RotatorClosedError('the rotator was closed while waiting for the start-time; the next run completes this cycle');
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new RotatorClosedError('the rotator was closed while waiting for the start-time; the next run completes this cycle'));
    ctx.closing.addEventListener('abort', onAbort, { once: true });
    ctx.sleep(ms).then(
      () => {
        ctx.closing.removeEventListener('abort', onAbort);
        resolve();
      },
      (e: unknown) => {
        ctx.closing.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
