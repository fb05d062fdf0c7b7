// The configurations the field script left on devices (macsec-config's fixtures, as read from a
// real device: secrets in Junos' own `$9$` form) load and pass commit check on every platform
// family, so a simulated device can start where a field device is.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.js';
import { emptyTree } from './config-tree.js';
import { xmlToTree } from './config-xml.js';
import { PLATFORM_FAMILIES } from './platform.js';
import { applyTree, loadInto } from './rpc-handlers/load-configuration.js';
import { createConfigStore } from './store.js';
import { parseXmlDocument, type XmlElement } from './xml.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../packages/macsec-config/src/fixtures/${name}`, import.meta.url));
const configurationIn = (e: XmlElement): XmlElement | undefined => (e.name === 'configuration' ? e : e.children.map(configurationIn).find((c) => c !== undefined));

describe('field-script configurations', () => {
  for (const name of ['field-script-v3.2.xml', 'field-script-v3.3.xml']) {
    it.each(PLATFORM_FAMILIES)(`${name} loads and passes commit check on %s`, (family) => {
      const conf = configurationIn(parseXmlDocument(readFileSync(fixture(name), 'utf8')));
      expect(conf).toBeDefined();
      const store = createConfigStore(manualClock(), emptyTree(), family);
      const session = { id: 1, user: 'adopt' };
      loadInto(store, session, (tree) => applyTree(tree, xmlToTree(conf!), 'override'));
      expect(store.check(session)).toEqual([]);
      expect(store.candidate(session).children.map((c) => c.tag)).toContain('security');
    });
  }
});
