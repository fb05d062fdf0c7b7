// The engine as the CLI uses it (the contract with src/engine): createRotator(...) → init,
// rotate, status, close. Injected through CliDeps so the daemon's tests can script it.
import { createRotator, type CreateRotatorOptions, type Rotator } from '../engine/index.js';

export type { CycleReport, InitReport, LinkStatus, ProgressEvent, LinkReport, ResumeReport } from '../engine/index.js';
export type { Rotator, CreateRotatorOptions };

export type CreateRotator = (options: CreateRotatorOptions) => Rotator | Promise<Rotator>;

export const defaultCreateRotator: CreateRotator = (options) => createRotator(options);
