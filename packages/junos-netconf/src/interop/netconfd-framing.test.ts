// The package's RFC 6242 codec (framing/) against netconfd's: hello exchange, negotiation of
// base:1.1 chunked framing (and base:1.0 when we only offer 1.0), and a reply big enough that
// netconfd sends it as many chunks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE_1_0,
  BASE_1_1,
  buildHello,
  createFrameDecoder,
  encodeMessage,
  EOM_DELIMITER,
  negotiateFraming,
  parseHello,
  type Framing,
} from '../framing/index.js';
import { dumpDaemonLogsOnFailure, skipInteropSuite, startNetconfd, type NetconfdServer } from './testing/netconfd-harness.js';
import { openNetconfChannel } from './testing/ssh-channel.js';

interface FramedSession {
  framing: Framing;
  serverCapabilities: string[];
  rpc(body: string): Promise<string>;
  /** Every byte received so far, framing included, as latin1 text. */
  wire(): string;
  close(): void;
}

async function openFramed(
  server: NetconfdServer,
  ourCapabilities: string[],
  options: { helloTrailer?: string } = {},
): Promise<FramedSession> {
  const { channel, close } = await openNetconfChannel(server);
  const decoder = createFrameDecoder();
  const waiting: Array<{ resolve: (xml: string) => void; reject: (err: unknown) => void }> = [];
  const drain = () => {
    while (waiting.length) {
      let message: string | undefined;
      try {
        message = decoder.next();
      } catch (err) {
        waiting.shift()?.reject(err);
        continue;
      }
      if (message === undefined) return;
      waiting.shift()?.resolve(message);
    }
  };
  let wire = '';
  channel.on('data', (chunk: Buffer) => {
    wire += chunk.toString('latin1');
    decoder.push(chunk);
    drain();
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ resolve, reject });
      drain();
    });

  const serverHello = parseHello(await next());
  // encodeMessage must end the hello exactly at `]]>]]>`: once base:1.1 is negotiated netconfd
  // reads the very next byte as the start of a chunk header (the last test below pins that).
  const hello = buildHello(ourCapabilities);
  channel.write(options.helloTrailer === undefined ? encodeMessage(hello, 'eom') : hello + options.helloTrailer);
  const framing = negotiateFraming(ourCapabilities, serverHello.capabilities);
  decoder.setFraming(framing);
  await server.sessionActive(serverHello.sessionId);
  let messageId = 0;
  return {
    framing,
    serverCapabilities: serverHello.capabilities,
    rpc: (body) => {
      const xml = `<rpc message-id="${++messageId}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">${body}</rpc>`;
      channel.write(encodeMessage(xml, framing));
      return next();
    },
    wire: () => wire,
    close,
  };
}

describe.skipIf(skipInteropSuite())('framing/ against netconfd', () => {
  let server: NetconfdServer;
  beforeAll(async () => {
    server = await startNetconfd();
  });
  afterEach(({ task }) => dumpDaemonLogsOnFailure(server, task));
  afterAll(async () => {
    await server?.stop();
  });

  it('negotiates base:1.1 chunked framing and exchanges RPCs with it', async () => {
    const session = await openFramed(server, [BASE_1_0, BASE_1_1]);
    try {
      expect(session.framing).toBe('chunked');
      const reply = await session.rpc('<get-config><source><running/></source></get-config>');
      expect(reply).toMatch(/<rpc-reply[^>]*message-id="1"/);
      expect(reply).toMatch(/<data[\s/>]/);
    } finally {
      session.close();
    }
  });

  it('falls back to base:1.0 end-of-message framing when that is all we offer', async () => {
    const session = await openFramed(server, [BASE_1_0]);
    try {
      expect(session.framing).toBe('eom');
      const reply = await session.rpc('<get-config><source><running/></source></get-config>');
      expect(reply).toMatch(/<rpc-reply[^>]*message-id="1"/);
    } finally {
      session.close();
    }
  });

  it('reassembles a reply that netconfd splits into many chunks', async () => {
    const session = await openFramed(server, [BASE_1_0, BASE_1_1]);
    const count = 400;
    try {
      const entries = Array.from(
        { length: count },
        (_, i) => `<connectivity-association><name>CA-${i}</name><ckn>${i.toString(16).padStart(64, '0')}</ckn></connectivity-association>`,
      ).join('');
      const edit = await session.rpc(
        `<edit-config><target><candidate/></target><config><macsec xmlns="${server.fixtureNamespace}">${entries}</macsec></config></edit-config>`,
      );
      expect(edit).toMatch(/<ok\/>/);
      const wireBefore = session.wire().length;
      const reply = await session.rpc(
        `<get-config><source><candidate/></source><filter type="subtree"><macsec xmlns="${server.fixtureNamespace}"/></filter></get-config>`,
      );
      const chunkHeaders = session.wire().slice(wireBefore).match(/\n#[1-9][0-9]*\n/g) ?? [];
      expect(chunkHeaders.length).toBeGreaterThan(1);
      expect(Buffer.byteLength(reply)).toBeGreaterThan(64 * 1024);
      expect(reply.match(/<connectivity-association>/g)).toHaveLength(count);
      expect(reply).toContain(`<ckn>${(count - 1).toString(16).padStart(64, '0')}</ckn>`);
      expect(await session.rpc('<discard-changes/>')).toMatch(/<ok\/>/);
    } finally {
      session.close();
    }
  });

  it('netconfd rejects anything between the hello\'s ]]>]]> and the first chunk header', async () => {
    // Pins the server behaviour the client must respect (RFC 6242 §4.2: the chunked stream
    // starts with LF HASH). Junos itself sends "]]>]]>\n", but a client cannot do the same.
    const session = await openFramed(server, [BASE_1_0, BASE_1_1], { helloTrailer: `${EOM_DELIMITER}\n` });
    try {
      const reply = await session.rpc('<get-config><source><running/></source></get-config>');
      expect(reply).toContain('<error-tag>malformed-message</error-tag>');
    } finally {
      session.close();
    }
  });
});
