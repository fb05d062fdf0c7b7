// The rotation settings a config file gets when it says nothing about them and names no device
// platform (so the cipher suite is the built-in default, as config/platform-rules.ts picks it).
import { configFileSchema } from '../../apps/rotator/src/config/file-schema.js';
import { FALLBACK_CIPHER_SUITE } from '../../apps/rotator/src/config/platform-rules.js';
import type { EngineConfig } from '../../apps/rotator/src/engine/config-view.js';

export function defaultRotation(): EngineConfig['rotation'] {
  const parsed = configFileSchema.shape.rotation.parse(undefined);
  return { ...parsed, cipherSuite: parsed.cipherSuite ?? FALLBACK_CIPHER_SUITE };
}
