// How the daemon stops. SIGTERM/SIGINT (or `stop`, e.g. a lost state lock) stop the scheduling
// at once and wake a sleep; the operation in flight runs to its end. A second signal closes the
// engine at once. At the end, a rotation asked through the control endpoint still running is let
// finish (unless a second signal closed the engine), then the engine is closed.
import type { RotatorLogger } from '../log/index.js';
import { errorText } from './context.js';
import type { DaemonEngine } from './daemon-engine.js';
import type { Rotator } from './engine.js';
import type { CliIo } from './io.js';

export interface DaemonStop {
  /** The signal that stopped the scheduling, once one has. */
  readonly signal: string | undefined;
  /** Runs `work` as the operation in flight: a first signal lets it finish. */
  inFlight<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves at `at` (epoch ms), or at once when a signal comes. */
  sleepUntil(at: number, now: () => number): Promise<void>;
  /** Stops listening, lets a rotation asked through the control endpoint end, closes the engine. */
  finish(): Promise<void>;
}

export function watchForStop(opts: { rotator: Rotator; engine: DaemonEngine; logger: RotatorLogger; signals: CliIo['signals']; stop: AbortSignal | undefined }): DaemonStop {
  const { rotator, engine, logger, signals, stop } = opts;
  let stopSignal: string | undefined;
  let wake: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  let inFlight = false;
  let markClosed!: () => void;
  const engineClosed = new Promise<void>((r) => (markClosed = r));
  const close = () =>
    (closing ??= rotator
      .close()
      .catch((err: unknown) => {
        logger.error(`engine close failed: ${errorText(err)}`);
      })
      .finally(markClosed));
  const onSignal = (signal: string) => () => {
    if (stopSignal !== undefined) {
      if (closing === undefined) {
        logger.warn(`${signal} again: closing the engine now; the rest of the cycle in flight fails and is undone or resumed safely`);
        void close();
      } else logger.warn(`${signal} again: already closing`);
      return;
    }
    stopSignal = signal;
    engine.stop();
    logger.info(inFlight ? `${signal}: no new cycles; letting the cycle in flight finish (signal again to abandon it safely)` : `${signal}: no new cycles`);
    wake?.();
  };
  const handlers = { SIGTERM: onSignal('SIGTERM'), SIGINT: onSignal('SIGINT') };
  signals.on('SIGTERM', handlers.SIGTERM);
  signals.on('SIGINT', handlers.SIGINT);
  const onStop = onSignal('lost state lock');
  if (stop?.aborted) onStop();
  stop?.addEventListener('abort', onStop);

  return {
    get signal() {
      return stopSignal;
    },
    async inFlight(work) {
      inFlight = true;
      try {
        return await work();
      } finally {
        inFlight = false;
      }
    },
    sleepUntil: (at, now) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wake = undefined;
          resolve();
        }, Math.max(0, at - now()));
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      }),
    async finish() {
      signals.off('SIGTERM', handlers.SIGTERM);
      signals.off('SIGINT', handlers.SIGINT);
      stop?.removeEventListener('abort', onStop);
      engine.stop();
      // A rotation asked through the control endpoint may still run: let it end (a second signal closes at once).
      await Promise.race([engine.idle(), engineClosed]);
      await close();
    },
  };
}
