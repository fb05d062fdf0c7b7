// The faults each KME served by this process applies now. Read on every request, changed by
// the handle's setFaults and by the admin endpoint, so a change applies to the next request.
import { checkFaults, SimKmeConfigError, type Faults, type FaultsInput, type SimKmeConfig } from './config.js';
import { NO_FAULTS } from './faults.js';

export interface FaultTable {
  /** The KMEs served here, in configuration order. */
  readonly ids: readonly string[];
  /** A copy of a KME's faults; throws naming the KMEs served here for any other ID. */
  get(kmeId: string): Faults;
  /** The request path's read: the object itself (replaced on every change, never mutated). */
  current(kmeId: string): Readonly<Faults>;
  /** Sets one KME's faults, or every KME's when kmeId is undefined; input is validated, undefined clears. */
  set(kmeId: string | undefined, input: FaultsInput | undefined): void;
}

export function createFaultTable(config: SimKmeConfig, served: ReadonlySet<string>): FaultTable {
  const now = new Map<string, Faults>();
  for (const kme of config.kmes) if (served.has(kme.id)) now.set(kme.id, kme.faults ?? config.faults ?? NO_FAULTS);
  const ids = [...now.keys()];
  const known = (kmeId: string): Faults => {
    const f = now.get(kmeId);
    if (!f) throw new Error(`faults: unknown KME "${kmeId}"; this simulator serves ${ids.join(', ')}`);
    return f;
  };
  return {
    ids,
    get: (kmeId) => ({ ...known(kmeId) }),
    current: known,
    set(kmeId, input) {
      if (kmeId !== undefined) known(kmeId);
      const checked = checkFaults(input ?? {});
      if ('error' in checked) throw new SimKmeConfigError('setFaults', [checked.error]);
      for (const id of kmeId === undefined ? ids : [kmeId]) now.set(id, checked.faults);
    },
  };
}
