// One NETCONF session over an SSH channel, as Junos runs it: the server hello goes first
// (base:1.0, plus base:1.1 when the device is rfc-compliant), framing follows the hello exchange,
// RPCs are answered strictly in order (pipelined requests queue up), and bad input gets an
// <rpc-error> rather than a dropped session where the protocol allows it.
import { BASE_1_0, BASE_1_1, NETCONF_NS, buildHello, createFrameDecoder, encodeMessage, negotiateFraming, Outbox, parseHello, type Framing } from '@qkd-macsec/junos-netconf/framing';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.js';
import { getPath } from './config-tree.js';
import type { SimDevice } from './device.js';
import { hostileReply } from './hostile-reply.js';
import { replyAttributes } from './reply-attributes.js';
import type { LinkModel } from './link-model.js';
import { RpcFailure, renderRpcError, type RpcErrorInfo } from './rpc-error.js';
import { RPC_HANDLERS, type RpcContext, type RpcResult } from './rpc-handlers/index.js';
import type { SessionRef } from './store.js';
import { parseXmlDocument, XmlInputError } from './xml.js';

/** Largest RPC accepted; a bigger one ends the session (Junos has a similar cap). */
const MAX_RPC_BYTES = 8 * 1024 * 1024;

const JUNOS_CAPABILITIES = [
  'urn:ietf:params:netconf:capability:candidate:1.0',
  'urn:ietf:params:netconf:capability:confirmed-commit:1.0',
  'urn:ietf:params:netconf:capability:validate:1.0',
  'urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file',
  'urn:ietf:params:xml:ns:netconf:base:1.0',
  'urn:ietf:params:xml:ns:netconf:capability:candidate:1.0',
  'urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0',
  'urn:ietf:params:xml:ns:netconf:capability:validate:1.0',
  'http://xml.juniper.net/netconf/junos/1.0',
  'http://xml.juniper.net/dmi/system/1.0',
];

export interface NetconfSessionOptions {
  device: SimDevice;
  session: SessionRef;
  clock: Clock;
  links: LinkModel;
  /** Called to drop the whole SSH connection abruptly (the dropAfterRpcs fault). */
  dropConnection(): void;
  onClose?(): void;
}

// Over 80 lines: one session's state (framing, hello, queue, faults, close) is this closure's
// locals, and its few handlers all read and write them; split, they would pass it all around.
export function runNetconfSession(stream: Duplex, opts: NetconfSessionOptions): void {
  const { device, session } = opts;
  // Junos offers base:1.1 once `system services netconf rfc-compliant` is committed.
  const rfcCompliant = getPath(device.store.activeCommitted(), 'system', 'services', 'netconf', 'rfc-compliant') !== undefined;
  const caps = [BASE_1_0, ...(device.netconf11 || rfcCompliant ? [BASE_1_1] : []), ...JUNOS_CAPABILITIES];
  const junosNs = `http://xml.juniper.net/junos/${device.version}/junos`;
  const decoder = createFrameDecoder({ framing: 'eom', maxMessageBytes: MAX_RPC_BYTES });
  let framing: Framing = 'eom';
  let helloDone = false;
  let closed = false;
  let rpcCount = 0;
  let queue: Promise<void> = Promise.resolve();
  device.stats.sessions++;
  device.sessions.set(session.id, { user: session.user, kill: () => opts.dropConnection() });

  // RPCs held by the hangRpcs fault wait on this; it resolves when the session ends, so they go.
  let releaseHung!: () => void;
  const hung = new Promise<void>((resolve) => (releaseHung = resolve));

  const close = () => {
    if (closed) return;
    closed = true;
    releaseHung();
    device.log.info(`${device.name}: NETCONF session ${session.id} (${session.user}) closed`);
    device.sessions.delete(session.id);
    device.store.endSession(session);
    outbox.flush(); // the answers queued this turn (a close-session's <ok/>) go before the end
    stream.end();
    opts.onClose?.();
  };
  /** Drops the whole SSH connection at once, without a reply (the drop faults). */
  const drop = (fault: string) => {
    if (closed) return;
    closed = true;
    releaseHung();
    device.log.info(`${device.name}: fault ${fault} — dropping session ${session.id} without a reply`);
    device.sessions.delete(session.id);
    device.store.endSession(session);
    opts.dropConnection();
  };
  // Replies produced in the same turn (a lock's and the read pipelined behind it) leave in one
  // SSH packet, as the client's requests do (junos-netconf's Outbox).
  const outbox = new Outbox(stream);
  const send = (xml: string) => {
    if (!closed && stream.writable) outbox.send(encodeMessage(xml, framing));
  };
  const reply = (attrs: string, inner: string) => {
    const hostile = device.faults.hostileReply;
    if (!hostile) return send(`<rpc-reply xmlns="${NETCONF_NS}" xmlns:junos="${junosNs}"${attrs}>\n${inner}\n</rpc-reply>`);
    const bad = hostileReply(hostile, attrs, framing, device.faults.hostileReplyBytes);
    if (bad.framed) {
      if (!closed) outbox.send(bad.bytes);
    }
    else send(bad.xml);
  };

  let closeAfter = false;
  const ctx: RpcContext = { device, session, clock: opts.clock, links: opts.links, closeAfterReply: () => (closeAfter = true), dropConnection: drop };

  const handleRpc = async (xml: string) => {
    let doc;
    try {
      doc = parseXmlDocument(xml);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      reply('', renderRpcError({ type: 'rpc', tag: 'malformed-message', message: `XML parse error: ${message}` }));
      return;
    }
    const { xml: attrs, refused } = replyAttributes(doc.name, doc.attributes);
    if (refused) {
      reply(attrs, renderRpcError(refused));
      return;
    }
    if (doc.name !== 'rpc') {
      reply(attrs, renderRpcError({ type: 'rpc', tag: 'unknown-element', message: `expected <rpc>, got <${doc.name}>`, badElement: doc.name }));
      return;
    }
    const op = doc.children[0];
    const handler = op && Object.hasOwn(RPC_HANDLERS, op.name) ? RPC_HANDLERS[op.name] : undefined;
    if (!op || !handler) {
      const name = op?.name ?? '(empty)';
      reply(attrs, renderRpcError({ type: 'protocol', tag: 'operation-not-supported', message: `syntax error, expecting <rpc> operation: ${name}`, badElement: name }));
      return;
    }
    let result: RpcResult;
    try {
      result = await handler(ctx, op);
    } catch (e) {
      if (closed) return; // a drop fault ended the session: no answer
      const errors: RpcErrorInfo[] =
        e instanceof RpcFailure
          ? e.errors
          : e instanceof XmlInputError
            ? [{ type: 'rpc', tag: 'malformed-message', message: e.message }]
            : [{ type: 'application', message: `internal error in ${op.name}` }];
      reply(attrs, errors.map(renderRpcError).join('\n'));
      return;
    }
    reply(attrs, result.warnings?.length ? [...result.warnings.map(renderRpcError), result.body].join('\n') : result.body);
    device.stats.rpcs++;
  };

  const onMessage = (xml: string) => {
    if (!helloDone) {
      try {
        const hello = parseHello(xml);
        framing = negotiateFraming(caps, hello.capabilities);
        decoder.setFraming(framing);
        helloDone = true;
        device.log.info(`${device.name}: NETCONF session ${session.id} (${session.user}) open, ${framing === 'eom' ? 'base:1.0 ]]>]]>' : 'base:1.1 chunked'} framing`);
      } catch {
        device.log.warn(`${device.name}: session ${session.id} sent no usable hello; dropped`);
        close(); // Junos drops a session whose first message is not a usable hello
      }
      return;
    }
    rpcCount++;
    if (device.faults.dropAfterRpcs !== undefined && rpcCount > device.faults.dropAfterRpcs) return drop('dropAfterRpcs');
    queue = queue.then(async () => {
      if (closed) return;
      // Faults are read as each RPC comes up, so a change through the admin endpoint applies at once.
      if (device.faults.hangRpcs) {
        device.log.info(`${device.name}: fault hangRpcs — session ${session.id} gets no answer`);
        return hung; // this RPC and every one queued behind it stay unanswered
      }
      if (device.faults.rpcLatencyMs) await sleep(device.faults.rpcLatencyMs);
      if (closed) return;
      try {
        await handleRpc(xml);
      } catch {
        close(); // a reply that cannot be sent (e.g. unframeable) ends this session, not the simulator
        return;
      }
      if (closeAfter) close();
    });
  };

  stream.on('data', (chunk: Buffer) => {
    if (closed) return;
    decoder.push(chunk);
    try {
      for (let msg = decoder.next(); msg !== undefined && !closed; msg = decoder.next()) onMessage(msg);
    } catch {
      close(); // framing violation or oversized message: the stream cannot be resynchronised
    }
  });
  stream.on('close', close);
  // A client that half-closes after sending (`ssh … netconf < rpcs.xml`) still gets its answers.
  stream.on('end', () => void queue.then(close));
  stream.on('error', close);

  const sendHello = () => {
    if (!closed) stream.write(encodeMessage(buildHello(caps, session.id), 'eom'));
  };
  if (device.faults.helloDelayMs) setTimeout(sendHello, device.faults.helloDelayMs).unref();
  else sendHello();
}
