// Deliberately broken targets for the harness's own tests: each misbehaves at known inputs, so
// the tests can check that every kind of finding is caught, at the right index.
import type { Target, TargetRun } from '../types.js';

export class FixtureError extends Error {}

const target = (name: string, execute: (i: number) => unknown, extra: Partial<TargetRun<number>> = {}): Target => ({
  name,
  description: `fixture: ${name}`,
  weight: 1,
  wire: false,
  start: async (): Promise<TargetRun<number>> => ({
    generate: (_rng, index) => index,
    execute: (i) => execute(i) as never,
    show: (i) => `input ${i}`,
    isOwnError: (err) => err instanceof FixtureError,
    ...extra,
  }),
});

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

export const TARGETS: readonly Target[] = [
  target('foreign', (i) => {
    if (i === 3) throw new RangeError('not ours');
    if (i % 2 === 0) throw new FixtureError('ours');
  }),
  target('oracle', (i) => (i === 4 ? [{ kind: 'accepted-invalid', summary: 'took what it should refuse', detail: 'x' }] : [])),
  target('huge-message', (i) => {
    if (i === 1) throw new FixtureError('x'.repeat(20_000));
  }),
  target('slow', (i) => busy(i === 5 ? 400 : 0)),
  target('slow-lanes', (i) => new Promise((r) => setTimeout(r, i === 5 ? 400 : 1)), { concurrency: 3 }),
  target('async-hang', (i) => (i === 2 ? new Promise(() => {}) : Promise.resolve())),
  target('sync-hang', (i) => {
    if (i === 4) for (;;);
  }),
  target('crash', (i) => {
    if (i === 6) setTimeout(() => { throw new Error('uncaught in the target'); });
    // give the timer a turn, so the crash lands while input 6 is the last one started
    return new Promise((r) => setTimeout(r, i === 6 ? 200 : 0));
  }),
  target('dead-server', () => undefined, { liveness: async () => 'status request refused' }),
  {
    name: 'no-start',
    description: 'fixture: its server cannot start',
    weight: 1,
    wire: true,
    start: async () => {
      throw new Error('listen EADDRINUSE');
    },
  },
];
