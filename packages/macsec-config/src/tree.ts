// One intermediate tree for all three output formats, so set commands, curly-brace text and XML
// cannot disagree about a statement: the model is mapped to Junos statements once, here, and the
// renderers only print. Secrets stay Secret objects in the tree; a renderer reveals them or not.
import type {
  ConnectivityAssociation,
  DeleteTarget,
  EventOptions,
  KeyChain,
  MacsecConfig,
  MacsecInterface,
  PreSharedKey,
  StaticHostMapping,
} from './model.js';
import { REDACTED, type Secret } from './secret.js';

export interface Node {
  /** Junos statement / XML element name. */
  tag: string;
  /** Identifier of a list entry (`<name>` in XML). */
  name?: string;
  /** Leaf value. */
  value?: string;
  /** Leaf value that is secret. */
  secret?: Secret;
  /** Children; undefined for leaves and flags. */
  children?: Node[];
  /** Set and text forms omit the statement word (`traceoptions file NAME`, macro data). */
  hideTag?: boolean;
  /** Text form: siblings with this tag share one `tag { ... }` block. */
  grouped?: boolean;
  /** Text form: children on the statement's own line (`file x.log size 10m;`). */
  oneLine?: boolean;
  /** Leaf-list: text form prints several as `tag [ a b ];`. */
  list?: boolean;
  /** The entry is replaced wholesale by a replace load. */
  replaceable?: boolean;
  op?: 'delete' | 'replace';
  inactive?: boolean;
}

const leaf = (tag: string, value: string | number | undefined): Node[] =>
  value === undefined ? [] : [{ tag, value: String(value) }];
const flag = (tag: string, on: boolean | undefined): Node[] => (on ? [{ tag }] : []);
const listOf = (tag: string, values: readonly string[] | undefined): Node[] =>
  (values ?? []).map((value) => ({ tag, value, list: true }));

function pskNode(tag: string, psk: PreSharedKey | undefined): Node[] {
  if (!psk) return [];
  return [{ tag, children: [{ tag: 'ckn', value: psk.ckn }, { tag: 'cak', secret: psk.cak }] }];
}

function caNode(ca: ConnectivityAssociation): Node {
  const mka = ca.mka;
  const mkaChildren: Node[] = mka
    ? [
        ...flag('should-secure', mka.shouldSecure),
        ...leaf('key-server-priority', mka.keyServerPriority),
        ...leaf('transmit-interval', mka.transmitInterval),
        ...leaf('sak-rekey-interval', mka.sakRekeyInterval),
      ]
    : [];
  return {
    tag: 'connectivity-association',
    name: ca.name,
    replaceable: true,
    children: [
      ...leaf('cipher-suite', ca.cipherSuite),
      ...leaf('security-mode', ca.securityMode),
      ...pskNode('pre-shared-key', ca.preSharedKey),
      ...leaf('pre-shared-key-chain', ca.preSharedKeyChain),
      ...pskNode('fallback-key', ca.fallbackKey),
      ...(mkaChildren.length > 0 ? [{ tag: 'mka', children: mkaChildren }] : []),
      ...flag('include-sci', ca.includeSci),
      ...leaf('offset', ca.offset),
      ...(ca.replayProtect ? [{ tag: 'replay-protect', children: leaf('replay-window-size', ca.replayProtect.replayWindowSize) }] : []),
      // A keyed list in every family's YANG (`<exclude-protocol><name>lldp</name></exclude-protocol>`),
      // `exclude-protocol lldp;` in text form, one entry per protocol.
      ...(ca.excludeProtocols ?? []).map((p): Node => ({ tag: 'exclude-protocol', name: p, children: [] })),
    ],
  };
}

/** Macro data in the field script's order of the issue: name, then value. */
const QKD_MACRO_FIELDS = [
  ['kmeHost', 'kme-host'],
  ['kmePort', 'kme-port'],
  ['kmeCa', 'kme-ca'],
  ['kmeKeyidCheck', 'kme-keyid-check'],
  ['kmeMethod', 'kme-method'],
] as const;

function interfaceNode(itf: MacsecInterface): Node {
  const data: Node[] = [];
  for (const [field, name] of QKD_MACRO_FIELDS) {
    const v = itf.qkd?.[field];
    if (v !== undefined) data.push({ tag: 'data', name, hideTag: true, oneLine: true, children: [{ tag: 'value', value: String(v), hideTag: true }] });
  }
  return {
    tag: 'interfaces',
    name: itf.name,
    grouped: true,
    replaceable: true,
    children: [
      ...(data.length > 0 ? [{ tag: 'apply-macro', name: 'qkd', children: data }] : []),
      ...leaf('connectivity-association', itf.connectivityAssociation),
    ],
  };
}

function keyChainNode(chain: KeyChain): Node {
  return {
    tag: 'key-chain',
    name: chain.name,
    replaceable: true,
    children: [
      ...leaf('description', chain.description),
      ...leaf('tolerance', chain.tolerance),
      ...chain.keys.map(
        (k): Node => ({
          tag: 'key',
          name: String(k.index),
          inactive: k.inactive,
          children: [
            ...(k.secret ? [{ tag: 'secret', secret: k.secret }] : []),
            ...leaf('key-name', k.keyName),
            ...leaf('start-time', k.startTime),
            ...leaf('algorithm', k.algorithm),
            ...leaf('options', k.options),
          ],
        }),
      ),
    ],
  };
}

function eventOptionsNodes(eo: EventOptions): Node[] {
  const out: Node[] = [];
  for (const g of eo.generateEvents ?? []) {
    out.push({
      tag: 'generate-event',
      name: g.name,
      grouped: true,
      oneLine: true,
      replaceable: true,
      children: [...leaf('time-interval', g.timeInterval), ...leaf('time-of-day', g.timeOfDay), ...leaf('start-time', g.startTime), ...flag('no-drift', g.noDrift)],
    });
  }
  for (const p of eo.policies ?? []) {
    out.push({
      tag: 'policy',
      name: p.name,
      replaceable: true,
      children: [
        ...listOf('events', p.events),
        ...(p.eventScripts.length > 0 ? [{ tag: 'then', children: p.eventScripts.map((f): Node => ({ tag: 'event-script', name: f, children: [] })) }] : []),
      ],
    });
  }
  if (eo.eventScripts && eo.eventScripts.length > 0) {
    out.push({
      tag: 'event-script',
      children: eo.eventScripts.map((f): Node => ({
        tag: 'file',
        name: f.name,
        replaceable: true,
        children: leaf('python-script-user', f.pythonScriptUser),
      })),
    });
  }
  const t = eo.traceoptions;
  if (t) {
    const file: Node[] =
      t.file !== undefined || t.size !== undefined || t.files !== undefined
        ? [{ tag: 'file', oneLine: true, children: [...(t.file !== undefined ? [{ tag: 'filename', value: t.file, hideTag: true }] : []), ...leaf('size', t.size), ...leaf('files', t.files)] }]
        : [];
    out.push({
      tag: 'traceoptions',
      replaceable: true,
      children: [...file, ...(t.flags ?? []).map((f): Node => ({ tag: 'flag', name: f, children: [] }))],
    });
  }
  return out;
}

function hostNode(h: StaticHostMapping): Node {
  return {
    tag: 'static-host-mapping',
    name: h.name,
    grouped: true,
    oneLine: true,
    replaceable: true,
    children: [...listOf('inet', h.inet), ...listOf('inet6', h.inet6), ...listOf('alias', h.alias)],
  };
}

const nonEmpty = (tag: string, children: Node[]): Node[] => (children.length > 0 ? [{ tag, children }] : []);

/** The model as Junos statements, rooted at `security`, `event-options` and `system`. */
function modelToTree(config: MacsecConfig): Node[] {
  const macsec = [...(config.connectivityAssociations ?? []).map(caNode), ...(config.interfaces ?? []).map(interfaceNode)];
  const chains = (config.keyChains ?? []).map(keyChainNode);
  return [
    ...nonEmpty('security', [...nonEmpty('macsec', macsec), ...nonEmpty('authentication-key-chains', chains)]),
    ...nonEmpty('event-options', config.eventOptions ? eventOptionsNodes(config.eventOptions) : []),
    ...nonEmpty('system', (config.staticHostMappings ?? []).map(hostNode)),
  ];
}

/** Parent path (containers) and the entry to delete, for each target. */
function deletePath(t: DeleteTarget): Node {
  const del = (node: Node): Node => ({ ...node, op: 'delete', children: [] });
  const wrap = (tags: string[], inner: Node): Node => tags.reduceRight((child, tag) => ({ tag, children: [child] }), inner);
  switch (t.kind) {
    case 'connectivity-association':
      return wrap(['security', 'macsec'], del({ tag: 'connectivity-association', name: t.name }));
    case 'macsec-interface':
      return wrap(['security', 'macsec'], del({ tag: 'interfaces', name: t.name, grouped: true }));
    case 'key-chain':
      return wrap(['security', 'authentication-key-chains'], del({ tag: 'key-chain', name: t.name }));
    case 'key-chain-key':
      return wrap(['security', 'authentication-key-chains'], { tag: 'key-chain', name: t.chain, children: [del({ tag: 'key', name: String(t.index) })] });
    case 'generate-event':
      return wrap(['event-options'], del({ tag: 'generate-event', name: t.name, grouped: true }));
    case 'event-policy':
      return wrap(['event-options'], del({ tag: 'policy', name: t.name }));
    case 'event-script-file':
      return wrap(['event-options', 'event-script'], del({ tag: 'file', name: t.name }));
    case 'static-host-mapping':
      return wrap(['system'], del({ tag: 'static-host-mapping', name: t.name, grouped: true }));
    default:
      throw new TypeError(`unknown delete target kind "${(t as { kind: unknown }).kind}"`);
  }
}

const sameEntry = (a: Node, b: Node) => a.tag === b.tag && a.name === b.name && a.value === undefined && b.value === undefined;

/** Merges `add` into `into` (containers and entries with the same tag and name become one). */
function mergeTrees(into: Node[], add: Node[]): Node[] {
  const out = into.map((n) => ({ ...n }));
  for (const n of add) {
    const twin = out.find((o) => sameEntry(o, n) && o.children !== undefined && n.children !== undefined && !o.op && !n.op);
    if (twin) twin.children = mergeTrees(twin.children!, n.children!);
    else if (n.op === 'delete') {
      // Deletes go before anything added at the same level, so they apply first.
      const firstAdd = out.findIndex((o) => o.op !== 'delete');
      out.splice(firstAdd === -1 ? out.length : firstAdd, 0, n);
    } else out.push(n);
  }
  return out;
}

/** Marks every replaceable entry in the tree for replacement. */
function markReplace(nodes: Node[]): Node[] {
  return nodes.map((n) =>
    n.replaceable && !n.op ? { ...n, op: 'replace' } : n.children ? { ...n, children: markReplace(n.children) } : n,
  );
}

export interface TreeOptions {
  /** `merge` (default) adds and changes; `replace` replaces each listed entry wholesale. */
  operation?: 'merge' | 'replace';
  /** Entries to remove, rendered before anything added. */
  delete?: readonly DeleteTarget[];
}

/** The model with the deletes merged in (each delete ahead of its added siblings). */
export function buildTree(config: MacsecConfig, options: TreeOptions): Node[] {
  let tree = modelToTree(config);
  if (options.operation === 'replace') tree = markReplace(tree);
  return mergeTrees(tree, (options.delete ?? []).map(deletePath));
}

/** A value for set/text form, quoted when Junos would need it. */
function quote(value: string): string {
  return /^[A-Za-z0-9_.:/+@,=-]+$/.test(value) ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** The words of one statement in set/text form: tag, identifier, value. */
export function statementTokens(node: Node, revealSecrets: boolean): string[] {
  const tokens: string[] = [];
  if (!node.hideTag) tokens.push(node.tag);
  if (node.name !== undefined) tokens.push(quote(node.name));
  if (node.value !== undefined) tokens.push(quote(node.value));
  if (node.secret) tokens.push(revealSecrets ? quote(node.secret.reveal()) : REDACTED);
  return tokens;
}

