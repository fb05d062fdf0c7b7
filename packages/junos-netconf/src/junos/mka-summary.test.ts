// parseMkaSummaries must find what parseMkaSessions finds: the same sessions, and in each the
// same interface, state, secured, CAK type and CKN — on the reply shapes Junos and sim-junos send
// and on generated documents that nest, repeat and interleave the names both look for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRpcReply } from '../session/reply.js';
import { XmlError } from '../xml/errors.js';
import { parseMkaSessions } from './mka.js';
import { parseMkaSummaries, type MkaSummary } from './mka-summary.js';

const reply = (body: string) => `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/23.4R1/junos" message-id="7">${body}</rpc-reply>`;

/** What parseMkaSessions gives for the five fields, from the same raw reply. */
function viaTree(raw: string): MkaSummary[] {
  return parseMkaSessions(parseRpcReply(raw).result).map((s) => ({ interface: s.interface, state: s.state, secured: s.secured, cakType: s.cakType, ckn: s.ckn }));
}

// parseMkaSessions lists repeated names together (the tree groups them); the summaries come in
// document order. Which sessions, and what each holds, must agree.
const sorted = (list: MkaSummary[]) => [...list].map((s) => JSON.stringify(s)).sort();

describe('parseMkaSummaries', () => {
  it('reads Junos brief output, one session per container (device.test.ts shape)', () => {
    const raw = reply(`<mka-session-information junos:style="brief">
      <interface-name>et-0/0/1</interface-name><interface-state>Secured - Primary</interface-state>
      <cak-name>ABCD000000000000000000000000000000000000000000000000000000000001</cak-name>
      <latest-sak-ki>A1B2C3D4E5F6A7B8C9D0E1F2/3</latest-sak-ki>
    </mka-session-information>
    <mka-session-information junos:style="brief">
      <interface-name>et-0/0/2</interface-name><interface-state>Unsecured</interface-state>
      <cak-name>ABCD000000000000000000000000000000000000000000000000000000000002</cak-name>
    </mka-session-information>`);
    expect(parseMkaSummaries(raw)).toEqual([
      { interface: 'et-0/0/1', state: 'Secured - Primary', secured: true, cakType: 'primary', ckn: 'ABCD000000000000000000000000000000000000000000000000000000000001' },
      { interface: 'et-0/0/2', state: 'Unsecured', secured: false, cakType: undefined, ckn: 'ABCD000000000000000000000000000000000000000000000000000000000002' },
    ]);
    expect(sorted(parseMkaSummaries(raw))).toEqual(sorted(viaTree(raw)));
  });

  it('reads the sim-junos shape: mka-session-info lists with a peer list inside each', () => {
    const session = (i: number, type: string) =>
      `<mka-session-info><interface-name>xe-0/0/${i}</interface-name><interface-state>Secured - ${type}</interface-state><mka-session-status>live</mka-session-status>` +
      `<cak-name>${String(i).repeat(64).slice(0, 64)}</cak-name><cak-type>${type.toUpperCase()}</cak-type>` +
      `<mka-peer-list><mka-peer-info><peer-member-identifier>0123</peer-member-identifier><interface-name>peer-if</interface-name></mka-peer-info></mka-peer-list></mka-session-info>`;
    const raw = reply(`<mka-session-information>${session(1, 'Primary')}${session(2, 'Fallback')}</mka-session-information>`);
    const summaries = parseMkaSummaries(raw);
    expect(summaries.map((s) => [s.interface, s.cakType, s.secured])).toEqual([
      ['xe-0/0/1', 'primary', true],
      ['xe-0/0/2', 'fallback', true],
    ]);
    expect(sorted(summaries)).toEqual(sorted(viaTree(raw)));
  });

  it('takes fields from session-live when the session itself lacks them, and the first of repeated leaves', () => {
    const raw = reply(
      `<mka-session-information><mka-session-info><interface-name>et-0/0/3</interface-name><interface-name>ignored</interface-name>` +
        `<session-live><session-state>Secured - Preceding</session-state><ckn>AB12</ckn></session-live>` +
        `<session-live><session-state>ignored</session-state></session-live></mka-session-info></mka-session-information>`,
    );
    expect(parseMkaSummaries(raw)).toEqual([{ interface: 'et-0/0/3', state: 'Secured - Preceding', secured: true, cakType: 'preceding', ckn: 'AB12' }]);
    expect(parseMkaSummaries(raw)).toEqual(viaTree(raw));
  });

  it('finds nothing outside mka-session-information, nor in an empty reply', () => {
    expect(parseMkaSummaries(reply('<other><interface-name>et-0/0/1</interface-name></other>'))).toEqual([]);
    expect(parseMkaSummaries(reply('<mka-session-information/>'))).toEqual([]);
  });

  it('refuses what parseXml refuses, without quoting the reply', () => {
    const refusal = (raw: string) => {
      try {
        parseMkaSummaries(raw);
      } catch (err) {
        return err;
      }
      throw new Error('accepted');
    };
    const cases: Array<[string, RegExp]> = [
      [reply('<mka-session-information><interface-name>SECRET1</mka-session-information>'), /./],
      [`<!DOCTYPE SECRET2 [<!ENTITY e "1">]>${reply('')}`, /./],
      [reply('<mka-session-information><cak-name>SECRET3\u0001</cak-name></mka-session-information>'), /not a legal XML 1.0 character/],
      [reply('<mka-session-information><SECRET4<ab/></mka-session-information>'), /./],
    ];
    for (const [raw, message] of cases) {
      const err = refusal(raw);
      expect(err).toBeInstanceOf(XmlError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/SECRET/);
    }
  });

  it('agrees with parseMkaSessions on generated documents', () => {
    const names = ['mka-session-information', 'mka-session-info', 'session-live', 'interface-name', 'interface-state', 'session-state', 'cak-type', 'cak-name', 'ckn', 'other'];
    const text = fc.constantFrom('', 'et-0/0/1', 'Secured - Primary', 'Secured - fallback', 'unsecured', 'PRIMARY', 'AB12', ' spaced ');
    const element = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.record({ name: fc.constantFrom(...names), attr: fc.boolean(), text, children: fc.constant([] as unknown[]) }),
        fc.record({ name: fc.constantFrom(...names), attr: fc.boolean(), text, children: fc.array(tie('node'), { maxLength: 4 }) }),
      ),
    })).node;
    type Node = { name: string; attr: boolean; text: string; children: Node[] };
    const render = (n: Node): string => `<${n.name}${n.attr ? ' junos:style="brief"' : ''}>${n.text}${n.children.map(render).join('')}</${n.name}>`;
    let withSessions = 0;
    fc.assert(
      // Most top-level elements inside a container, where sessions are looked for.
      fc.property(fc.array(fc.tuple(fc.boolean(), element), { maxLength: 4 }), (nodes) => {
        const raw = reply(nodes.map(([wrap, n]) => (wrap ? `<mka-session-information>${render(n as Node)}</mka-session-information>` : render(n as Node))).join(''));
        const summaries = parseMkaSummaries(raw);
        if (summaries.length > 0) withSessions++;
        expect(sorted(summaries)).toEqual(sorted(viaTree(raw)));
      }),
      { seed: 20261127, numRuns: 400 },
    );
    // The generator must reach the interesting cases, not only documents without a session.
    expect(withSessions).toBeGreaterThan(60);
  });
});
