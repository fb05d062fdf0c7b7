// Test helper for the YANG differential test: fast-check arbitraries of Junos XML configurations
// of security macsec, authentication-key-chains and event-options — valid ones, per platform
// family, and "subtly invalid" ones: one valid configuration with one mutation (a value off its
// range or enumeration, a must rule broken, a leaf-list where a keyed list belongs, a missing
// key, a statement of another family). Each mutation says who can see it: `yang` (yanglint,
// and so sim-junos, must refuse) or `junos` (a junos:must rule, a posix-pattern or a MACsec key
// rule — yanglint does not check those, so it accepts, and sim-junos must refuse).
import fc from 'fast-check';
import type { PlatformFamily } from '../platform.js';

export interface X {
  tag: string;
  text?: string;
  children: X[];
}
const el = (tag: string, ...children: X[]): X => ({ tag, children });
const leaf = (tag: string, text: string | number): X => ({ tag, text: String(text), children: [] });
const flag = (tag: string): X => ({ tag, children: [] });
const entry = (tag: string, name: string, ...children: X[]): X => el(tag, leaf('name', name), ...children);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const some = <T>(...xs: Array<T | undefined | false>): T[] => xs.filter((x): x is T => x !== undefined && x !== false);

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export function toXml(x: X): string {
  if (x.text !== undefined) return `<${x.tag}>${escapeXml(x.text)}</${x.tag}>`;
  if (x.children.length === 0) return `<${x.tag}/>`;
  return `<${x.tag}>${x.children.map(toXml).join('')}</${x.tag}>`;
}

const hexBytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('hex'));
const SUITES = ['gcm-aes-128', 'gcm-aes-256', 'gcm-aes-xpn-128', 'gcm-aes-xpn-256'] as const;
const cakBytes = (suite: string) => (suite.endsWith('256') ? 32 : 16);
const word = (re: RegExp) => fc.stringMatching(re);
const startTime = fc
  .date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString().slice(0, 19).replace('T', '.'), d.toISOString().slice(0, 16).replace('T', '.')));
const timeOfDay = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map((t) => t.map((n) => String(n).padStart(2, '0')).join(':'));

/** mka transmit-interval per family (junos-conf-security, grouping security-macsec). */
export const TRANSMIT_INTERVAL: Record<PlatformFamily, [number, number]> = { junos: [2000, 6000], 'junos-qfx': [2000, 6000], 'junos-es': [2000, 10000], evo: [2000, 6000] };

function keyChain(name: string, suite: string) {
  return fc
    .record({
      description: opt(word(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$/)),
      tolerance: opt(fc.integer({ min: 0, max: 4294967295 })),
      keys: fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 4 }),
      keyData: fc.array(fc.tuple(hexBytes(1, 32), hexBytes(cakBytes(suite), cakBytes(suite)), startTime, opt(fc.constantFrom('md5', 'hmac-sha-1', 'ao', 'sha-1', 'hmac-sha2-256')), opt(fc.constantFrom('basic', 'isis-enhanced'))), { minLength: 4, maxLength: 4 }),
    })
    .map(({ description, tolerance, keys, keyData }) =>
      entry(
        'key-chain',
        name,
        ...some(description !== undefined && leaf('description', description), tolerance !== undefined && leaf('tolerance', tolerance)),
        ...keys.map((index, i) => {
          const [ckn, secret, st, algorithm, options] = keyData[i]!;
          return entry('key', String(index), leaf('secret', secret), leaf('key-name', ckn), leaf('start-time', st), ...some(algorithm !== undefined && leaf('algorithm', algorithm), options !== undefined && leaf('options', options)));
        }),
      ),
    );
}

interface CaParts {
  ca: X;
  chain?: X;
}

/** A static-sak secure channel (junos-conf-security, security-macsec/secure-channel). */
const secureChannel = fc
  .record({
    name: word(/^[a-z][a-z0-9-]{0,15}$/),
    mac: opt(fc.constant('00:11:22:33:44:55')),
    port: opt(fc.integer({ min: 1, max: 65535 })),
    direction: opt(fc.constantFrom('inbound', 'outbound')),
    encryption: fc.boolean(),
    offset: opt(fc.constantFrom('0', '30', '50')),
    sci: fc.boolean(),
    sas: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
    key: hexBytes(16, 16),
  })
  .map((c) =>
    entry(
      'secure-channel',
      c.name,
      ...some(
        (c.mac !== undefined || c.port !== undefined) && el('id', ...some(c.mac !== undefined && leaf('mac-address', c.mac), c.port !== undefined && leaf('port-id', c.port))),
        c.direction !== undefined && leaf('direction', c.direction),
        c.encryption && flag('encryption'),
        c.offset !== undefined && leaf('offset', c.offset),
        c.sci && flag('include-sci'),
        ...c.sas.map((n) => entry('security-association', String(n), leaf('key', c.key))),
      ),
    ),
  );

/** A connectivity association in one of the three security modes, with every statement its mode
 *  allows (the junos:must rules of security-macsec decide which). The first CA of a
 *  configuration is always static-cak without bounded-delay, which the mutations rely on. */
function connectivityAssociation(name: string, family: PlatformFamily, first: boolean): fc.Arbitrary<CaParts> {
  const mode = first ? fc.constant('static-cak') : fc.constantFrom('static-cak', 'static-cak', 'dynamic', 'static-sak');
  return mode.chain((m) => (m === 'static-sak' ? staticSak(name) : keyedCa(name, family, m, first)));
}

function staticSak(name: string): fc.Arbitrary<CaParts> {
  return fc.record({ suite: fc.boolean(), channels: fc.uniqueArray(secureChannel, { maxLength: 2, selector: (c) => c.children[0]!.text }) }).map(({ suite, channels }) => ({
    ca: entry('connectivity-association', name, leaf('security-mode', 'static-sak'), ...some(suite && leaf('cipher-suite', 'gcm-aes-128')), ...channels),
  }));
}

function keyedCa(name: string, family: PlatformFamily, mode: string, first: boolean): fc.Arbitrary<CaParts> {
  const [tiMin, tiMax] = TRANSMIT_INTERVAL[family];
  const isCak = mode === 'static-cak';
  return fc
    .record({
      suite: opt(fc.constantFrom(...SUITES)),
      keying: isCak ? fc.constantFrom('psk', 'chain', 'none') : fc.constant('none'),
      ckn: hexBytes(1, 32),
      cak: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fallback: opt(fc.tuple(hexBytes(1, 32), fc.uint8Array({ minLength: 32, maxLength: 32 }))),
      chainName: word(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$/),
      mka: opt(
        fc.record({
          ti: opt(fc.integer({ min: tiMin, max: tiMax })),
          rekey: opt(fc.integer({ min: 60, max: 86400 })),
          ksp: opt(fc.integer({ min: 0, max: 255 })),
          shouldSecure: fc.boolean(),
          suspend: fc.boolean(),
          bounded: fc.boolean(),
          eapol: opt(fc.constantFrom('pae', 'provider-bridge', 'lldp-multicast')),
          icv: fc.boolean(),
        }),
      ),
      noEncryption: fc.boolean(),
      disablePreceding: fc.boolean(),
      sakHash: fc.boolean(),
      replay: opt(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 65535 }))),
      offset: opt(fc.constantFrom('0', '30', '50')),
      sci: fc.boolean(),
      exclude: fc.subarray(['cdp', 'lldp', 'lacp']),
    })
    .chain((r) => {
      const suite = r.suite ?? 'gcm-aes-128';
      const cak = (b: Uint8Array) => Buffer.from(b.subarray(0, cakBytes(suite))).toString('hex');
      const bounded = r.mka?.bounded === true && !first && r.mka.ti === undefined; // must (!(".. bounded-delay")) on transmit-interval
      const children = some<X>(
        leaf('security-mode', mode),
        r.suite !== undefined && leaf('cipher-suite', r.suite),
        r.sakHash && (r.suite === 'gcm-aes-256' || r.suite === 'gcm-aes-xpn-256') && flag('sak-hash-128'),
        r.keying === 'psk' && el('pre-shared-key', leaf('ckn', r.ckn), leaf('cak', cak(r.cak))),
        r.keying === 'chain' && leaf('pre-shared-key-chain', r.chainName),
        // fallback-key ckn must differ from the pre-shared-key ckn
        isCak && r.fallback !== undefined && r.fallback[0] !== r.ckn && el('fallback-key', leaf('ckn', r.fallback[0]), leaf('cak', cak(r.fallback[1]))),
        r.mka !== undefined &&
          el(
            'mka',
            ...some(
              r.mka.ti !== undefined && leaf('transmit-interval', r.mka.ti),
              r.mka.rekey !== undefined && leaf('sak-rekey-interval', r.mka.rekey),
              bounded && flag('bounded-delay'),
              r.mka.suspend && isCak && (family === 'junos' || family === 'evo') && flag('suspend-on-request'),
              isCak && r.mka.ksp !== undefined && leaf('key-server-priority', r.mka.ksp),
              r.mka.shouldSecure && flag('should-secure'),
              isCak && r.mka.eapol !== undefined && leaf('eapol-address', r.mka.eapol),
              r.mka.icv && flag('disable-icv-indicator'),
            ),
          ),
        r.replay !== undefined && (r.replay < 0 ? el('replay-protect') : el('replay-protect', leaf('replay-window-size', r.replay))),
        r.noEncryption && r.offset === undefined && flag('no-encryption'), // must (!(".. offset"))
        isCak && r.disablePreceding && flag('disable-preceding-key'),
        r.offset !== undefined && leaf('offset', r.offset),
        r.sci && flag('include-sci'),
        ...r.exclude.map((p) => entry('exclude-protocol', p)),
      );
      const ca = entry('connectivity-association', name, ...children);
      return r.keying === 'chain' ? keyChain(r.chainName, suite).map((chain) => ({ ca, chain })) : fc.constant({ ca });
    });
}

const traceFlags = (values: readonly string[]) => fc.subarray([...values], { minLength: 1 });
const fileName = word(/^[a-z][a-z0-9._-]{0,20}$/);

function macsec(family: PlatformFamily): fc.Arbitrary<{ macsec: X; chains: X[] }> {
  return fc
    .record({
      prefixes: fc.uniqueArray(word(/^[A-Za-z][A-Za-z0-9_-]{0,29}$/), { minLength: 1, maxLength: 3 }),
      trace: opt(fc.tuple(fileName, opt(fc.integer({ min: 2, max: 1000 })), fc.option(traceFlags(['config', 'debug', 'telemetry', 'normal', 'all'])))),
      cluster: fc.boolean(),
    })
    .chain(({ prefixes, trace, cluster }) =>
      fc.tuple(...prefixes.map((p, i) => connectivityAssociation(`${p}${i}`, family, i === 0))).map((cas) => {
        // key-chain names must be unique across the CAs
        const chains = cas.map((c, i) => c.chain && { ...c.chain, children: [leaf('name', `${c.chain.children[0]!.text}${i}`), ...c.chain.children.slice(1)] });
        const caNodes = cas.map((c, i) =>
          chains[i] ? { ...c.ca, children: c.ca.children.map((k) => (k.tag === 'pre-shared-key-chain' ? leaf('pre-shared-key-chain', chains[i]!.children[0]!.text!) : k)) } : c.ca,
        );
        const children = some<X>(
          trace !== undefined &&
            el('traceoptions', el('file', leaf('filename', trace[0]), ...some(trace[1] !== null && trace[1] !== undefined && leaf('files', trace[1]))), ...(trace[2] ?? []).map((f) => entry('flag', f))),
          ...caNodes,
          ...caNodes.map((c, i) => entry('interfaces', `ge-0/0/${i}`, leaf('connectivity-association', c.children[0]!.text!))),
          cluster && family === 'junos-es' && entry('cluster-control-port', '0', leaf('connectivity-association', caNodes[0]!.children[0]!.text!)),
        );
        return { macsec: el('macsec', ...children), chains: chains.filter((c): c is X => c !== undefined) };
      }),
    );
}

const eventOptions: fc.Arbitrary<X | undefined> = opt(
  fc
    .record({
      events: fc.uniqueArray(word(/^[a-z][a-z0-9-]{0,40}$/), { maxLength: 10 }),
      timing: fc.array(fc.oneof(fc.tuple(fc.constant('interval' as const), fc.integer({ min: 60, max: 2592000 }), opt(startTime), fc.boolean()), fc.tuple(fc.constant('day' as const), timeOfDay)), { minLength: 10, maxLength: 10 }),
      policies: fc.uniqueArray(word(/^[a-z][a-z0-9_-]{0,40}$/), { maxLength: 2 }),
      script: word(/^[a-z][a-z0-9_-]{0,20}\.py$/),
      args: fc.uniqueArray(fc.tuple(word(/^[a-z][a-z0-9-]{0,20}$/), word(/^[A-Za-z0-9._:-]{1,20}$/)), { maxLength: 2, selector: (a) => a[0] }),
      trace: opt(fc.tuple(fileName, fc.integer({ min: 2, max: 1000 }), traceFlags(['server', 'configuration', 'events', 'timer-events', 'database', 'policy', 'registration', 'syslogd', 'all']))),
    })
    .map(({ events, timing, policies, script, args, trace }) =>
      el(
        'event-options',
        ...events.map((name, i) => {
          const t = timing[i]!;
          return entry(
            'generate-event',
            name,
            ...(t[0] === 'interval' ? some(leaf('time-interval', t[1]), t[2] !== undefined && leaf('start-time', t[2]), t[3] && flag('no-drift')) : [leaf('time-of-day', t[1])]),
          );
        }),
        ...policies.map((p) =>
          entry('policy', p, ...(events.length ? [leaf('events', events[0]!)] : [leaf('events', 'SYSTEM')]), el('then', entry('event-script', script, ...args.map(([n, v]) => entry('arguments', n, leaf('value', v)))))),
        ),
        ...(policies.length ? [el('event-script', entry('file', script))] : []),
        ...(trace ? [el('traceoptions', el('file', leaf('filename', trace[0]), leaf('files', trace[1])), ...trace[2].map((f) => entry('flag', f)))] : []),
      ),
    ),
);

/** A valid configuration for `family`, as an X tree rooted at `<configuration>`. */
export function validConfig(family: PlatformFamily): fc.Arbitrary<X> {
  return fc.tuple(macsec(family), eventOptions).map(([m, eo]) =>
    el('configuration', el('security', m.macsec, ...(m.chains.length ? [el('authentication-key-chains', ...m.chains)] : [])), ...(eo ? [eo] : [])),
  );
}
