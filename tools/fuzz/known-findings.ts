// Findings that are open: reported, not yet fixed in the package they belong to. The CI run
// (fuzz.test.ts) fails on any finding not listed here, and on a listed one marked `ci` that no
// longer shows — so an entry is deleted in the same commit as its fix. The CLI reports known
// findings like any other (and exits 1); this list only names them.
import type { FindingGroup, FindingKind } from './types.js';

export interface KnownFinding {
  target: string;
  kind: FindingKind;
  summary: RegExp;
  /** Where the fault is and why it happens. */
  why: string;
  /** The CI run's seed and counts hit it: CI checks it still shows, until it is fixed. */
  ci?: true;
}

export const KNOWN_FINDINGS: readonly KnownFinding[] = [];

export function knownFinding(g: Pick<FindingGroup, 'target' | 'kind' | 'summary'>): KnownFinding | undefined {
  return KNOWN_FINDINGS.find((k) => k.target === g.target && k.kind === g.kind && k.summary.test(g.summary));
}
