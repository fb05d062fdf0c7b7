// The simulators' admin endpoint (contract "Simulator admin endpoint"): GET/PUT/PATCH/DELETE
// /faults/<id>, JSON, loopback only. A refusal is an error naming the simulator, the id and the
// simulator's own message.

export interface AdminClient {
  readonly url: string;
  get(id: string): Promise<Record<string, unknown>>;
  put(id: string, faults: Record<string, unknown>): Promise<void>;
  patch(id: string, faults: Record<string, unknown>): Promise<void>;
  clear(id: string): Promise<void>;
  /** GET of another resource, e.g. sim-junos's /links. */
  read(path: string): Promise<unknown>;
}

export function adminClient(name: string, url: string, timeoutMs = 5000): AdminClient {
  const call = async (method: string, id: string, body?: unknown) => request(method, `/faults/${encodeURIComponent(id)}`, body) as Promise<Record<string, unknown>>;
  const request = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 200);
      try {
        message = String((JSON.parse(text) as { error?: unknown }).error ?? message);
      } catch {
        // not JSON: keep the text
      }
      throw new Error(`${name} admin ${method} ${path}: HTTP ${res.status}: ${message}`);
    }
    return text === '' ? {} : (JSON.parse(text) as unknown);
  };
  return {
    url,
    get: (id) => call('GET', id),
    put: async (id, f) => void (await call('PUT', id, f)),
    patch: async (id, f) => void (await call('PATCH', id, f)),
    clear: async (id) => void (await call('DELETE', id)),
    read: (path) => request('GET', path),
  };
}
