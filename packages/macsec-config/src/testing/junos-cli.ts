// Test support: reads Junos `set` commands and curly-brace text back into Junos XML, for the
// parts of the configuration this package models, so renderSet and renderText output can go
// through parseConfigurationXml (the package's one parser) in round-trip tests. Driven by a
// schema of the statements, written from Juniper's YANG (junos-conf-security,
// junos-conf-event-options, junos-conf-system), not from the renderers.

type Kind =
  | { t: 'container'; children: Schema; hidden?: string }
  | { t: 'list'; children: Schema }
  | { t: 'leaf' }
  | { t: 'flag' }
  | { t: 'leaf-list' }
  | { t: 'macro' };
type Schema = Record<string, Kind>;

const leaf: Kind = { t: 'leaf' };
const flag: Kind = { t: 'flag' };
const leafList: Kind = { t: 'leaf-list' };
const container = (children: Schema, hidden?: string): Kind => ({ t: 'container', children, ...(hidden ? { hidden } : {}) });
const list = (children: Schema): Kind => ({ t: 'list', children });

const psk = container({ ckn: leaf, cak: leaf });
const SCHEMA: Schema = {
  security: container({
    macsec: container({
      'connectivity-association': list({
        'cipher-suite': leaf,
        'security-mode': leaf,
        'pre-shared-key': psk,
        'pre-shared-key-chain': leaf,
        'fallback-key': psk,
        mka: container({ 'key-server-priority': leaf, 'transmit-interval': leaf, 'sak-rekey-interval': leaf, 'should-secure': flag, 'must-secure': flag }),
        'include-sci': flag,
        offset: leaf,
        'replay-protect': container({ 'replay-window-size': leaf }),
        'exclude-protocol': list({}),
      }),
      interfaces: list({ 'connectivity-association': leaf, 'apply-macro': { t: 'macro' } }),
    }),
    'authentication-key-chains': container({
      'key-chain': list({
        description: leaf,
        tolerance: leaf,
        key: list({ secret: leaf, 'key-name': leaf, 'start-time': leaf, algorithm: leaf, options: leaf }),
      }),
    }),
  }),
  'event-options': container({
    'generate-event': list({ 'time-interval': leaf, 'time-of-day': leaf, 'start-time': leaf, 'no-drift': flag }),
    policy: list({ events: leafList, then: container({ 'event-script': list({}) }) }),
    'event-script': container({ file: list({ 'python-script-user': leaf }) }),
    traceoptions: container({ file: container({ size: leaf, files: leaf }, 'filename'), flag: list({}) }),
  }),
  system: container({ 'static-host-mapping': list({ inet: leafList, inet6: leafList, alias: leafList }) }),
};

interface El {
  tag: string;
  key?: string;
  text?: string;
  inactive?: boolean;
  children: El[];
}

/** Words of one statement line; `"..."` with backslash escapes is one word. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^\s"]+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

function child(parent: El, tag: string, key?: string): El {
  let el = parent.children.find((c) => c.tag === tag && c.key === key);
  if (!el) parent.children.push((el = { tag, ...(key !== undefined ? { key } : {}), children: [] }));
  return el;
}

const need = (w: string | undefined, what: string): string => {
  if (w === undefined) throw new Error(`missing ${what}`);
  return w;
};

/** Applies one `set` (or `deactivate`) statement's words to the tree. */
function apply(root: El, ws: string[], inactive: boolean): void {
  let el = root;
  let schema = SCHEMA;
  let i = 0;
  while (i < ws.length) {
    const word = ws[i++]!;
    const kind = schema[word];
    if (!kind) throw new Error(`unknown statement "${word}" in "${ws.join(' ')}"`);
    if (kind.t === 'leaf') {
      const leafEl = child(el, word);
      const value = ws[i++];
      // `deactivate ... LEAF` names the leaf without its value.
      if (value !== undefined) leafEl.text = value;
      else if (inactive) leafEl.inactive = true;
      else throw new Error(`missing value of ${word}`);
      continue;
    }
    if (kind.t === 'flag') {
      child(el, word);
      continue;
    }
    if (kind.t === 'leaf-list') {
      el.children.push({ tag: word, text: need(ws[i++], `value of ${word}`), children: [] });
      continue;
    }
    if (kind.t === 'macro') {
      const macro = child(el, word, need(ws[i++], 'macro name'));
      while (i < ws.length) {
        const data = child(macro, 'data', ws[i++]!);
        if (i < ws.length) child(data, 'value').text = ws[i++]!;
      }
      return;
    }
    if (kind.t === 'list') {
      el = child(el, word, need(ws[i++], `name of ${word}`));
      schema = kind.children;
    } else {
      el = child(el, word);
      schema = kind.children;
      if (kind.hidden && i < ws.length && !(ws[i]! in schema)) child(el, kind.hidden).text = ws[i++]!;
    }
  }
  if (inactive) el.inactive = true;
}

function print(el: El, out: string[]): void {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const attrs = el.inactive ? ' inactive="inactive"' : '';
  if (el.text !== undefined) {
    out.push(`<${el.tag}${attrs}>${esc(el.text)}</${el.tag}>`);
    return;
  }
  if (el.key === undefined && el.children.length === 0) {
    out.push(`<${el.tag}${attrs}/>`);
    return;
  }
  out.push(`<${el.tag}${attrs}>`);
  if (el.key !== undefined) out.push(`<name>${esc(el.key)}</name>`);
  for (const c of el.children) print(c, out);
  out.push(`</${el.tag}>`);
}

/** `set` / `deactivate` lines (renderSet output, merge loads) as a Junos `<configuration>`. */
export function setCommandsToXml(lines: readonly string[]): string {
  const root: El = { tag: 'configuration', children: [] };
  for (const line of lines) {
    const [verb, ...rest] = words(line);
    if (verb === 'set') apply(root, rest, false);
    else if (verb === 'deactivate') apply(root, rest, true);
    else throw new Error(`unsupported command "${verb}" (merge loads only)`);
  }
  const out: string[] = [];
  print(root, out);
  return out.join('\n');
}

/** Curly-brace text (renderText output) as the `set` / `deactivate` lines it stands for. */
export function textToSetCommands(text: string): string[] {
  const tokens = text.match(/"(?:[^"\\]|\\.)*"|[{};[\]]|[^\s{};[\]"]+/g) ?? [];
  const out: string[] = [];
  const stack: string[][] = [];
  let stmt: string[] = [];
  let inactive = false;
  let bracket: string[] | undefined;
  for (const tok of tokens) {
    if (tok === 'inactive:' && stmt.length === 0) inactive = true;
    else if (tok === '[') bracket = [];
    else if (tok === ']') {
      const tag = stmt.pop()!;
      for (const v of bracket ?? []) out.push(['set', ...stack.flat(), ...stmt, tag, v].join(' '));
      bracket = undefined;
      stmt = [];
    } else if (bracket) bracket.push(tok);
    else if (tok === '{') {
      if (inactive) out.push(['deactivate', ...stack.flat(), ...stmt].join(' '));
      stack.push(stmt);
      stmt = [];
      inactive = false;
    } else if (tok === '}') stack.pop();
    else if (tok === ';') {
      if (stmt.length > 0) out.push(['set', ...stack.flat(), ...stmt].join(' '));
      if (inactive) out.push(['deactivate', ...stack.flat(), ...stmt].join(' '));
      stmt = [];
      inactive = false;
    } else if (/^(?:delete|replace):$/.test(tok)) throw new Error(`unsupported operator "${tok}" (merge loads only)`);
    else stmt.push(tok);
  }
  return out;
}
