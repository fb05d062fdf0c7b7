// What the engine reports: progress events for the CLI, the cycle report, link status, init report.
type Phase = 'fetch' | 'stage' | 'confirm' | 'verify' | 'prune' | 'done' | 'failed';

export interface ProgressEvent {
  link: string;
  phase: Phase;
  keyId?: string;
  device?: string;
  message?: string;
}

export interface WaitInfo {
  /** ISO instant the wait ends: the start-time plus the verification delay. */
  until: string;
  startsAt: string;
  links: number;
  /** One line: what is being waited for and why. */
  reason: string;
}

export interface LinkError {
  phase: Phase | 'plan' | 'read' | 'rollback' | 'resume';
  device?: string;
  message: string;
}

export interface LinkReport {
  link: string;
  result: 'ok' | 'failed' | 'skipped';
  keyId?: string;
  /** Slot per device (key-chain mode). */
  slot?: Record<string, number>;
  startTime?: string;
  devices: string[];
  error?: LinkError;
  /** More problems (e.g. a rollback that also failed); `error` is the first. */
  alarms?: LinkError[];
  /** static-cak mode replaces the key on both ends one after the other: a short drop. */
  hitless?: boolean;
  /** Verification found the link's MKA running on its fallback key (an alarm: the next run repairs it). */
  onFallback?: true;
  /** --no-wait: confirmed on every end, not yet verified (the next resume after the start-time does). */
  unverified?: true;
  /** dry run: what would be done. */
  plan?: Array<{ device: string; slot?: number; deleteSlots?: number[] }>;
  durationMs: number;
}

export interface CycleReport {
  startedAt: string;
  finishedAt: string;
  dryRun?: boolean;
  /** Transactions of an earlier run found in the journal and resolved first. */
  resumed?: ResumeReport[];
  links: LinkReport[];
  /** Fallback-key rotations done in the same rotate() call (links whose fallback key was due). */
  fallback?: LinkReport[];
}

export interface ResumeReport {
  link: string;
  /** The transaction rotated the fallback-key (absent: the primary key). */
  kind?: 'fallback';
  keyId: string;
  outcome: 'completed' | 'rolled-back' | 'alarm';
  devices: string[];
  message?: string;
}

interface EndStatus {
  device: string;
  interfaces: Array<{ interface: string; secured: boolean; ckn?: string; state?: string }>;
  error?: string;
}

export interface LinkStatus {
  link: string;
  keyId?: string;
  ckn?: string;
  /** Seconds since the current key became active. */
  ageSeconds?: number;
  lastSuccess?: string;
  nextRotation?: string;
  /** Every end's interfaces secured with the recorded CKN. */
  secured: boolean;
  /**
   * The link's MKA runs on its fallback key on some end (an alarm: the next rotate repairs it).
   * status() always sets it; optional only so that hand-built LinkStatus values stay valid.
   */
  onFallback?: boolean;
  /** A transaction of an earlier run not yet settled (resume() resolves it). */
  unfinished?: {
    keyId: string;
    startsAt: string;
    cycleId: string;
    kind: 'primary' | 'fallback';
    /** The decision record holds this link: resume confirms the rest while every end holds the key. */
    decided: boolean;
    confirmDeadline?: string;
    phases: Record<string, string>;
    /** What resume() will do, as far as the state tells. */
    next: string;
  };
  ends: EndStatus[];
}

export interface DeviceInitReport {
  device: string;
  /** One line per difference, e.g. `connectivity-association qkd-L1: cipher-suite gcm-aes-128 -> gcm-aes-256`. */
  changes: string[];
  applied: boolean;
  error?: string;
  /** The platform profile init used, and where it came from (`config` or `model …`); src/init/platform.ts. */
  platform?: { platform?: string; from: string };
  /** What the field script left on the device (src/init/field-script.ts). */
  fieldScript?: { version: string; artefacts: string[]; removed: boolean };
}

export interface InitReport {
  dryRun: boolean;
  devices: DeviceInitReport[];
  /** Links that got a first key (key IDs only). */
  firstKeys: Array<{ link: string; keyId: string }>;
  /** Links that got a (new) fallback-key from a QKD key of its own (key IDs only). */
  fallbackKeys?: Array<{ link: string; keyId: string }>;
  /** Things the operator should know, e.g. that fallback keys are disabled. */
  notes?: string[];
  changed: boolean;
  errors: string[];
  /** Unfinished transactions of an earlier run, resolved before init looked at the devices. */
  resumed?: ResumeReport[];
}

export interface EngineLogger {
  info(...args: unknown[]): unknown;
  warn(...args: unknown[]): unknown;
  error(...args: unknown[]): unknown;
  debug(...args: unknown[]): unknown;
}
