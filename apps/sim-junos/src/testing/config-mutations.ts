// Test helper for the YANG differential test: one-step mutations of a valid configuration (an X
// tree from config-gen.ts). `expect(family)` says what Junos does with the result:
//   'yang'   — refused by the YANG itself: yanglint and sim-junos must both refuse;
//   'junos'  — refused by a rule yanglint does not check (junos:must, junos:posix-pattern, the
//              MACsec key rules): yanglint must accept it, sim-junos must refuse;
//   'accept' — valid after all on this family (e.g. cluster ports on SRX).
import type { PlatformFamily } from '../platform.js';
import { TRANSMIT_INTERVAL, type X } from './config-gen.js';

export type Expectation = 'yang' | 'junos' | 'accept';
export interface Mutation {
  name: string;
  /** Changes the tree in place; `pick` is a number in [0, 1) to choose among variants. */
  apply(cfg: X, family: PlatformFamily, pick: number): void;
  expect(family: PlatformFamily): Expectation;
}

const leaf = (tag: string, text: string | number): X => ({ tag, text: String(text), children: [] });
const el = (tag: string, ...children: X[]): X => ({ tag, children });
const entry = (tag: string, name: string, ...children: X[]): X => el(tag, leaf('name', name), ...children);
const child = (x: X, tag: string) => x.children.find((c) => c.tag === tag);
const ensure = (x: X, tag: string): X => {
  let c = child(x, tag);
  if (!c) x.children.push((c = el(tag)));
  return c;
};
const setLeaf = (x: X, tag: string, value: string | number) => {
  x.children = x.children.filter((c) => c.tag !== tag);
  x.children.push(leaf(tag, value));
};
const nameOf = (x: X) => child(x, 'name')!.text!;
const choose = <T>(xs: readonly T[], pick: number): T => xs[Math.floor(pick * xs.length)]!;

const macsec = (cfg: X) => ensure(ensure(cfg, 'security'), 'macsec');
const firstCa = (cfg: X) => child(macsec(cfg), 'connectivity-association')!;
const mka = (cfg: X) => ensure(firstCa(cfg), 'mka');
const eventOptions = (cfg: X) => ensure(cfg, 'event-options');

/** The first CA, keyed by a pre-shared key (its key chain reference dropped, its chain kept). */
function pskCa(cfg: X): X {
  const ca = firstCa(cfg);
  // without a cipher-suite (so the added 32-digit CAK fits) and what depends on one
  ca.children = ca.children.filter((c) => !['pre-shared-key-chain', 'cipher-suite', 'sak-hash-128', 'fallback-key'].includes(c.tag));
  if (!child(ca, 'pre-shared-key')) ca.children.push(el('pre-shared-key', leaf('ckn', 'a1b2'), leaf('cak', '0f'.repeat(16))));
  return ca;
}

/** The first CA keyed by a key chain (one is added when none exists). */
function chainOf(cfg: X): X {
  const security = ensure(cfg, 'security');
  const chains = ensure(security, 'authentication-key-chains');
  let chain = child(chains, 'key-chain');
  if (!chain) {
    chain = entry('key-chain', 'KC-added', entry('key', '0', leaf('secret', '0e'.repeat(16)), leaf('key-name', '0e0e'), leaf('start-time', '2026-01-01.00:00:00')));
    chains.children.push(chain);
    const ca = pskCa(cfg);
    ca.children = ca.children.filter((c) => c.tag !== 'pre-shared-key');
    ca.children.push(leaf('pre-shared-key-chain', 'KC-added'));
  }
  return chain;
}

function renameCa(cfg: X, to: string): void {
  const ca = firstCa(cfg);
  const from = nameOf(ca);
  const walk = (x: X) => {
    if (x.tag === 'connectivity-association' && x.text === from) x.text = to;
    x.children.forEach(walk);
  };
  walk(macsec(cfg));
  child(ca, 'name')!.text = to;
}

function renameChain(cfg: X, to: string): void {
  const chain = chainOf(cfg);
  const from = nameOf(chain);
  for (const ca of macsec(cfg).children) {
    const ref = child(ca, 'pre-shared-key-chain');
    if (ref?.text === from) ref.text = to;
  }
  child(chain, 'name')!.text = to;
}

/** Adds a flag unless it is there (a second one would be a duplicate, which is another error). */
const addFlag = (x: X, tag: string) => void (child(x, tag) ?? x.children.push(el(tag)));

/** Adds a generate-event, first trimming the generated ones to 9 (the YANG allows 10). Added
 *  names are upper case, which the generator never uses, so they never collide. */
function addEvent(cfg: X, event: X): void {
  const eo = eventOptions(cfg);
  let kept = 0;
  eo.children = eo.children.filter((c) => c.tag !== 'generate-event' || ++kept <= 9);
  eo.children.unshift(event);
}

const firstKey = (cfg: X) => child(chainOf(cfg), 'key')!;
const always = (e: Expectation) => () => e;

export const MUTATIONS: readonly Mutation[] = [
  // --- refused by the YANG (yanglint sees it) ---
  {
    name: 'mka transmit-interval off its family range',
    apply: (cfg, family, pick) => setLeaf(mka(cfg), 'transmit-interval', choose([1999, 0, TRANSMIT_INTERVAL[family][1] + 1], pick)),
    expect: always('yang'),
  },
  {
    name: 'mka transmit-interval 6001..10000 (only junos-es has it)',
    apply: (cfg, _f, pick) => setLeaf(mka(cfg), 'transmit-interval', 6001 + Math.floor(pick * 4000)),
    expect: (f) => (f === 'junos-es' ? 'accept' : 'yang'),
  },
  { name: 'sak-rekey-interval off 60..86400', apply: (cfg, _f, p) => setLeaf(mka(cfg), 'sak-rekey-interval', choose([59, 86401, 0], p)), expect: always('yang') },
  { name: 'key-server-priority off 0..255', apply: (cfg) => setLeaf(mka(cfg), 'key-server-priority', 256), expect: always('yang') },
  { name: 'replay-window-size off 0..65535', apply: (cfg) => setLeaf(ensure(firstCa(cfg), 'replay-protect'), 'replay-window-size', 65536), expect: always('yang') },
  { name: 'security-mode not in its enumeration', apply: (cfg, _f, p) => setLeaf(firstCa(cfg), 'security-mode', choose(['static', 'STATIC-CAK', 'dot1x'], p)), expect: always('yang') },
  { name: 'offset not 0/30/50', apply: (cfg, _f, p) => setLeaf(firstCa(cfg), 'offset', choose(['20', '1', '64'], p)), expect: always('yang') },
  { name: 'cipher-suite not in its enumeration', apply: (cfg) => setLeaf(firstCa(cfg), 'cipher-suite', 'gcm-aes-512'), expect: always('yang') },
  { name: 'exclude-protocol value not cdp/lldp/lacp', apply: (cfg) => firstCa(cfg).children.push(entry('exclude-protocol', 'stp')), expect: always('yang') },
  { name: 'exclude-protocol as a leaf-list (bare value)', apply: (cfg) => firstCa(cfg).children.push(leaf('exclude-protocol', 'lldp')), expect: always('yang') },
  { name: 'connectivity-association name of 33 characters', apply: (cfg) => renameCa(cfg, 'C'.repeat(33)), expect: always('yang') },
  { name: 'mka must-secure (gone in 24.4R1)', apply: (cfg) => addFlag(mka(cfg), 'must-secure'), expect: always('yang') },
  { name: 'connectivity-association description', apply: (cfg) => firstCa(cfg).children.push(leaf('description', 'link to r2')), expect: always('yang') },
  {
    name: 'macsec traceoptions level or file match',
    apply: (cfg, _f, p) => {
      const trace = ensure(macsec(cfg), 'traceoptions');
      if (p < 0.5) trace.children.push(leaf('level', 'all'));
      else ensure(trace, 'file').children.push(leaf('match', 'mka'));
    },
    expect: always('yang'),
  },
  {
    name: 'cluster-control-port (SRX only)',
    apply: (cfg) => macsec(cfg).children.push(entry('cluster-control-port', '1', leaf('connectivity-association', nameOf(firstCa(cfg))))),
    expect: (f) => (f === 'junos-es' ? 'accept' : 'yang'),
  },
  {
    name: 'cluster-data-port (SRX only)',
    apply: (cfg) => macsec(cfg).children.push(entry('cluster-data-port', 'ge-0/0/7', leaf('connectivity-association', nameOf(firstCa(cfg))))),
    expect: (f) => (f === 'junos-es' ? 'accept' : 'yang'),
  },
  { name: 'mka suspend-on-request (junos and evo only)', apply: (cfg) => addFlag(mka(cfg), 'suspend-on-request'), expect: (f) => (f === 'junos' || f === 'evo' ? 'accept' : 'yang') },
  {
    name: 'macsec interfaces unit (not on junos-es)',
    apply: (cfg) => {
      const ca = pskCa(cfg);
      macsec(cfg).children.push(entry('interfaces', 'xe-0/1/9', entry('unit', '0', leaf('connectivity-association', nameOf(ca)))));
    },
    expect: (f) => (f === 'junos-es' ? 'yang' : 'accept'),
  },
  { name: 'key-chain description of 81 characters', apply: (cfg) => setLeaf(chainOf(cfg), 'description', 'd'.repeat(81)), expect: always('yang') },
  { name: 'key-chain tolerance over 4294967295', apply: (cfg, _f, p) => setLeaf(chainOf(cfg), 'tolerance', choose(['4294967296', '-1', '1e3'], p)), expect: always('yang') },
  { name: 'key index 64', apply: (cfg) => (child(firstKey(cfg), 'name')!.text = '64'), expect: always('yang') },
  { name: 'key algorithm not in its enumeration', apply: (cfg) => setLeaf(firstKey(cfg), 'algorithm', 'sha-256'), expect: always('yang') },
  { name: 'key options not basic/isis-enhanced', apply: (cfg) => setLeaf(firstKey(cfg), 'options', 'extended'), expect: always('yang') },
  { name: 'key secret over 126 characters', apply: (cfg) => setLeaf(firstKey(cfg), 'secret', 'a'.repeat(127)), expect: always('yang') },
  { name: 'key-name over 64 characters', apply: (cfg) => setLeaf(firstKey(cfg), 'key-name', 'ab'.repeat(33)), expect: always('yang') },
  { name: 'pre-shared-key ckn of 1 character', apply: (cfg) => setLeaf(child(pskCa(cfg), 'pre-shared-key')!, 'ckn', 'a'), expect: always('yang') },
  { name: 'pre-shared-key cak over 64 characters', apply: (cfg) => setLeaf(child(pskCa(cfg), 'pre-shared-key')!, 'cak', 'ab'.repeat(33)), expect: always('yang') },
  {
    name: 'eleven generate-events',
    apply: (cfg) => {
      const eo = eventOptions(cfg);
      eo.children = eo.children.filter((c) => c.tag !== 'generate-event');
      eo.children.unshift(...Array.from({ length: 11 }, (_, i) => entry('generate-event', `TICK-${i}`, leaf('time-interval', 60 + i))));
    },
    expect: always('yang'),
  },
  { name: 'generate-event name of 64 characters', apply: (cfg) => addEvent(cfg, entry('generate-event', 'E'.repeat(64), leaf('time-interval', 60))), expect: always('yang') },
  { name: 'generate-event with time-of-day and time-interval', apply: (cfg) => addEvent(cfg, entry('generate-event', 'BOTH', leaf('time-interval', 600), leaf('time-of-day', '10:00:00'))), expect: always('yang') },
  { name: 'generate-event time-interval off 60..2592000', apply: (cfg, _f, p) => addEvent(cfg, entry('generate-event', 'OFF', leaf('time-interval', choose([59, 2592001, 0], p)))), expect: always('yang') },
  { name: 'event-options traceoptions flag not in its enumeration', apply: (cfg) => eventOptions(cfg).children.push(el('traceoptions', el('file', leaf('filename', 'ev.log')), entry('flag', 'everything'))), expect: always('yang') },
  {
    name: 'a list entry without its key (name)',
    apply: (cfg, _f, p) => {
      if (p < 0.5) firstCa(cfg).children = firstCa(cfg).children.filter((c) => c.tag !== 'name');
      else addEvent(cfg, el('generate-event', leaf('time-interval', 60)));
    },
    expect: always('yang'),
  },
  { name: 'apply-macro in generate-event (which has no apply-advanced)', apply: (cfg) => addEvent(cfg, entry('generate-event', 'MACRO', leaf('time-interval', 60), entry('apply-macro', 'qkd', entry('data', 'k', leaf('value', 'v'))))), expect: always('yang') },
  { name: 'an unknown statement in generate-event', apply: (cfg) => addEvent(cfg, entry('generate-event', 'TYPO', leaf('frequency', 60))), expect: always('yang') },

  // --- refused by rules yanglint does not check ---
  {
    name: 'mka without security-mode static-cak or dynamic (must)',
    apply: (cfg) => {
      const ca = firstCa(cfg);
      ca.children = ca.children.filter((c) => c.tag !== 'security-mode');
      addFlag(ca, 'mka');
    },
    expect: always('junos'),
  },
  {
    name: 'key-server-priority, pre-shared-key, fallback-key or pre-shared-key-chain under security-mode dynamic (must)',
    apply: (cfg, _f, p) => {
      const chainName = nameOf(chainOf(cfg)); // before the CA loses its keys
      const ca = firstCa(cfg);
      ca.children = ca.children.filter((c) => !['pre-shared-key', 'pre-shared-key-chain', 'fallback-key', 'mka'].includes(c.tag));
      setLeaf(ca, 'security-mode', 'dynamic');
      const variants = [
        () => ca.children.push(el('mka', leaf('key-server-priority', 3))),
        () => ca.children.push(el('pre-shared-key', leaf('ckn', '1234'), leaf('cak', 'ab'.repeat(32)))),
        () => ca.children.push(el('fallback-key', leaf('ckn', '1234'), leaf('cak', 'ab'.repeat(32)))),
        () => ca.children.push(leaf('pre-shared-key-chain', chainName)),
      ];
      choose(variants, p)();
    },
    expect: always('junos'),
  },
  { name: 'secure-channel outside static-sak (must)', apply: (cfg) => firstCa(cfg).children.push(entry('secure-channel', 'SC-X', el('encryption'))), expect: always('junos') },
  {
    name: 'no-encryption together with offset (must)',
    apply: (cfg) => {
      setLeaf(firstCa(cfg), 'offset', '30');
      addFlag(firstCa(cfg), 'no-encryption');
    },
    expect: always('junos'),
  },
  {
    name: 'transmit-interval together with bounded-delay (must)',
    apply: (cfg) => {
      setLeaf(mka(cfg), 'transmit-interval', 3000);
      addFlag(mka(cfg), 'bounded-delay');
    },
    expect: always('junos'),
  },
  {
    name: 'sak-hash-128 without a 256-bit cipher-suite (must)',
    apply: (cfg) => {
      setLeaf(firstCa(cfg), 'cipher-suite', 'gcm-aes-128');
      addFlag(firstCa(cfg), 'sak-hash-128');
    },
    expect: always('junos'),
  },
  {
    name: 'a 256-bit or XPN cipher-suite under static-sak (must)',
    apply: (cfg, _f, p) => {
      const ca = firstCa(cfg);
      ca.children = ca.children.filter((c) => !['pre-shared-key', 'pre-shared-key-chain', 'fallback-key', 'mka', 'replay-protect', 'offset', 'include-sci', 'exclude-protocol', 'no-encryption', 'disable-preceding-key'].includes(c.tag));
      setLeaf(ca, 'security-mode', 'static-sak');
      setLeaf(ca, 'cipher-suite', choose(['gcm-aes-256', 'gcm-aes-xpn-128', 'gcm-aes-xpn-256'], p));
    },
    expect: always('junos'),
  },
  {
    name: 'fallback-key CKN equal to the pre-shared-key CKN (must)',
    apply: (cfg) => {
      const ca = pskCa(cfg);
      ca.children.push(el('fallback-key', leaf('ckn', child(child(ca, 'pre-shared-key')!, 'ckn')!.text!), leaf('cak', '1f'.repeat(16))));
    },
    expect: always('junos'),
  },
  { name: 'CKN of odd length or not hex (posix-pattern)', apply: (cfg, _f, p) => setLeaf(child(pskCa(cfg), 'pre-shared-key')!, 'ckn', choose(['abc', 'zz', '0x12'], p)), expect: always('junos') },
  { name: 'key-chain name with a space (posix-pattern)', apply: (cfg) => renameChain(cfg, 'QKD KC'), expect: always('junos') },
  { name: 'key-chain name of 33 characters (posix-pattern)', apply: (cfg) => renameChain(cfg, 'K'.repeat(33)), expect: always('junos') },
  { name: 'CAK of 40 hex digits (MACsec: 32 or 64 for the suite)', apply: (cfg) => setLeaf(child(pskCa(cfg), 'pre-shared-key')!, 'cak', 'ab'.repeat(20)), expect: always('junos') },
  { name: 'key start-time not YYYY-MM-DD.HH:MM[:SS]', apply: (cfg, _f, p) => setLeaf(firstKey(cfg), 'start-time', choose(['tomorrow', '2026-13-01.00:00', '2026-01-01 00:00:00'], p)), expect: always('junos') },
  { name: 'generate-event start-time with time-of-day (must)', apply: (cfg) => addEvent(cfg, entry('generate-event', 'DAILY', leaf('time-of-day', '10:00:00'), leaf('start-time', '2026-01-01.00:00'))), expect: always('junos') },
  { name: 'python-script-user not under system login (must)', apply: (cfg) => ensure(eventOptions(cfg), 'event-script').children.push(entry('file', 'QKD-adopt.py', leaf('python-script-user', 'qkd'))), expect: always('junos') },
  {
    name: 'pre-shared-key-chain naming no key chain (must)',
    apply: (cfg) => {
      const ca = pskCa(cfg);
      ca.children = ca.children.filter((c) => c.tag !== 'pre-shared-key');
      ca.children.push(leaf('pre-shared-key-chain', 'NOPE'));
    },
    expect: always('junos'),
  },
  { name: 'macsec interface naming no connectivity-association (must)', apply: (cfg) => macsec(cfg).children.push(entry('interfaces', 'et-0/0/5', leaf('connectivity-association', 'MISSING'))), expect: always('junos') },
];
