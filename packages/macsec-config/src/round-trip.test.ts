// Every renderer's output reads back into the same model: XML through parseConfigurationXml,
// set commands and curly-brace text through testing/junos-cli (set/text to XML) and then
// the same parser.
import { describe, expect, it } from 'vitest';
import { everyFieldModel, fieldScriptReply, fullModel } from './testing/fixtures.js';
import type { MacsecConfig } from './model.js';
import { parseConfigurationXml } from './parse-xml.js';
import { renderSet } from './render-set.js';
import { renderText } from './render-text.js';
import { renderXml } from './render-xml.js';
import { setCommandsToXml, textToSetCommands } from './testing/junos-cli.js';

const reveal = { revealSecrets: true };
const viaXml = (m: MacsecConfig) => parseConfigurationXml(renderXml(m, reveal));
const viaSet = (m: MacsecConfig) => parseConfigurationXml(setCommandsToXml(renderSet(m, reveal)));
const viaText = (m: MacsecConfig) => parseConfigurationXml(setCommandsToXml(textToSetCommands(renderText(m, reveal))));

// Flags (empty leaves) are present or absent: `false` reads back as absent.
const FLAGS = new Set(['includeSci', 'shouldSecure', 'noDrift', 'inactive']);

describe('round trip through every renderer and the parser', () => {
  const models: Array<[string, () => MacsecConfig]> = [
    ['a model setting every field', everyFieldModel],
    ['the full feature model', fullModel],
    ['the field script v3.2 device', () => parseConfigurationXml(fieldScriptReply('v3.2'))],
    ['the field script v3.3 device', () => parseConfigurationXml(fieldScriptReply('v3.3'))],
  ];
  for (const [what, make] of models) {
    for (const [form, read] of [['xml', viaXml], ['set', viaSet], ['text', viaText]] as const) {
      it(`${what} survives ${form}`, () => {
        const model = make();
        const back = read(model);
        // Secrets are compared by value (testing/fixtures.ts's equality); false flags read back absent.
        expect(back).toEqual(dropFalse(model));
      });
    }
  }

  it('the comparison can fail: a changed leaf is seen', () => {
    const model = everyFieldModel();
    const back = viaSet(model);
    back.connectivityAssociations![0]!.offset = 50;
    expect(back).not.toEqual(dropFalse(model));
  });
});

/** The model with `false` flags removed, as the parser returns it. */
function dropFalse<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropFalse) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).filter(([k, v]) => !(FLAGS.has(k) && v === false)).map(([k, v]) => [k, dropFalse(v)])) as T;
  }
  return value;
}
