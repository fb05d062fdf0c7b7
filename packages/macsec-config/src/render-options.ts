import type { TreeOptions } from './tree.js';

export interface RenderOptions extends TreeOptions {
  /**
   * Put the clear CAKs/secrets in the output. Off by default, so a rendering made for a log, a
   * dry run or a diff shows `[redacted]`; turn it on only for what is sent to the device.
   */
  revealSecrets?: boolean;
}
