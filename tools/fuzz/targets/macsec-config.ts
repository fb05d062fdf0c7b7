// macsec-config's readers: parseConfigurationXml and parseConfigurationChange. What they accept is
// then validated and, when valid, rendered (XML, set, text) and read back: the validator must not
// pass a model the renderers or the parser then refuse. Own errors: MacsecConfigError and subclasses.
import { MacsecConfigError, parseConfigurationChange, parseConfigurationXml, renderSet, renderText, renderXml, validateConfig, type MacsecConfig } from '@qkd-macsec/macsec-config';
import { mutate } from '../mutate.js';
import { configurationSamples } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';
import { describeError } from '../loop.js';
import { leakedInternals, mustRefuse } from '../xml-oracle.js';

const ENTRY_POINTS = ['parseConfigurationXml', 'parseConfigurationChange'] as const;
type Entry = (typeof ENTRY_POINTS)[number];

interface Input {
  entry: Entry;
  xml: string;
}

/** A parsed model that validates must render and read back; returns what broke. */
function roundTrip(model: MacsecConfig): Problem[] {
  try {
    validateConfig(model);
  } catch (err) {
    if (err instanceof MacsecConfigError) return [];
    return [{ kind: 'foreign-error', summary: `validateConfig threw ${describeError(err)}` }];
  }
  const problems: Problem[] = [];
  let xml: string | undefined;
  for (const [name, render] of [
    ['renderXml', () => (xml = renderXml(model, { revealSecrets: true }))],
    ['renderSet', () => renderSet(model, { revealSecrets: true })],
    ['renderText', () => renderText(model, { revealSecrets: true })],
  ] as const) {
    try {
      render();
    } catch (err) {
      problems.push({ kind: 'wrong-result', summary: `validateConfig accepted a parsed model that ${name} refuses`, detail: describeError(err) });
    }
  }
  if (xml !== undefined) {
    try {
      parseConfigurationXml(xml);
    } catch (err) {
      problems.push({ kind: 'wrong-result', summary: 'renderXml output of a valid model does not parse back', detail: describeError(err) });
    }
  }
  return problems;
}

export const macsecConfigTarget: Target = {
  name: 'macsec-config',
  description: 'macsec-config parseConfigurationXml / parseConfigurationChange, then validate, render and parse back',
  weight: 25,
  wire: false,
  async start(): Promise<TargetRun<Input>> {
    const corpus = configurationSamples();
    return {
      generate(rng) {
        const base = rng.pick(corpus);
        return { entry: rng.pick(ENTRY_POINTS), xml: rng.chance(0.05) ? base : mutate(rng, base, { corpus }) };
      },
      execute({ entry, xml }): Problem[] {
        const model = entry === 'parseConfigurationXml' ? parseConfigurationXml(xml) : parseConfigurationChange(xml).config;
        const problems = roundTrip(model);
        const refuse = mustRefuse(xml);
        if (refuse) problems.push({ kind: 'accepted-invalid', summary: `${entry} accepted a document with an illegal XML construct (${refuse.reason})`, detail: refuse.detail });
        const leak = leakedInternals(model);
        if (leak) problems.push({ kind: 'wrong-result', summary: `${entry} returned JavaScript internals`, detail: leak });
        return problems;
      },
      show: ({ entry, xml }) => `${entry}(${JSON.stringify(xml)})`,
      isOwnError: (err) => err instanceof MacsecConfigError,
    };
  },
};
