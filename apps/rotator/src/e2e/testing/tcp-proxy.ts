// A TCP proxy in front of one agent (or device), to put the network between the coordinator and
// it under the test's control: `delayMs` holds every chunk back (a slow path), `cut()` makes a
// partition — bytes in either direction are dropped and new connections get nowhere, so the
// coordinator sees timeouts, not refusals — and `heal()` ends it (connections that lived through
// the cut are reset: their TLS streams lost bytes). The TLS stays end to end: the proxy sees bytes.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  url: string;
  port: number;
  delayMs: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Bytes the clients sent through so far (what a test counts to see whether anything was sent). */
  readonly bytesUp: number;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, options: { delayMs?: number } = {}): Promise<TcpProxy> {
  let cut = false;
  let connections = 0;
  let bytesUp = 0;
  const live = new Set<Socket>();
  const cutThrough = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (cut) return;
      const forward = () => (!cut && !to.destroyed ? to.write(chunk) : undefined);
      if (proxy.delayMs > 0) setTimeout(forward, proxy.delayMs);
      else forward();
    });
    from.on('close', () => setTimeout(() => to.destroy(), proxy.delayMs));
    from.on('error', () => to.destroy());
  };
  const server: Server = createServer((client) => {
    connections++;
    live.add(client);
    client.on('close', () => live.delete(client));
    if (cut) {
      cutThrough.add(client);
      client.on('error', () => undefined);
      return;
    }
    const upstream = createConnection(target);
    live.add(upstream);
    upstream.on('close', () => live.delete(upstream));
    client.on('data', (chunk: Buffer) => void (bytesUp += chunk.length));
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const proxy: TcpProxy = {
    url: `https://127.0.0.1:${port}`,
    port,
    delayMs: options.delayMs ?? 0,
    get connections() {
      return connections;
    },
    get bytesUp() {
      return bytesUp;
    },
    cut() {
      cut = true;
      for (const s of live) cutThrough.add(s);
    },
    heal() {
      cut = false;
      for (const s of cutThrough) s.destroy();
      cutThrough.clear();
    },
    async close() {
      for (const s of live) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
