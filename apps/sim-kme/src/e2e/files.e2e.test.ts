// Serving from PEM files named in the configuration (caFile + certFile/keyFile per KME) rather
// than from a `sim-kme pki` directory or an in-memory PKI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSimPki, startSimKme, writeSimPki, type WrittenPki } from '../index.js';

let dir: string;
let files: WrittenPki;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-kme-files-'));
  files = await writeSimPki(await createSimPki({ kmeIds: ['KME_A', 'KME_B'], saeIds: ['SAE_A', 'SAE_B'] }), dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('caFile, certFile and keyFile', () => {
  it('serve the KMEs with the named files', async () => {
    const sim = await startSimKme({
      caFile: files.caCert,
      kmes: [
        { id: 'KME_A', saes: ['SAE_A'], certFile: files.kmes.KME_A!.cert, keyFile: files.kmes.KME_A!.key },
        { id: 'KME_B', saes: ['SAE_B'], certFile: files.kmes.KME_B!.cert, keyFile: files.kmes.KME_B!.key },
      ],
      links: [{ kmes: ['KME_A', 'KME_B'] }],
    });
    const client = createQkdClient({
      baseUrl: sim.kmes.KME_A!.url,
      tls: { certFile: files.saes.SAE_A!.cert, keyFile: files.saes.SAE_A!.key, caFile: files.caCert },
      retry: false,
    });
    try {
      expect(sim.pki).toBeUndefined();
      const status = await client.getStatus('SAE_B');
      expect(status.source_KME_ID).toBe('KME_A');
      expect(status.target_KME_ID).toBe('KME_B');
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('a key file that does not belong to the certificate is refused at start, naming both files', async () => {
    const start = startSimKme({
      caFile: files.caCert,
      kmes: [{ id: 'KME_A', saes: ['SAE_A'], certFile: files.kmes.KME_A!.cert, keyFile: files.kmes.KME_B!.key }],
    });
    await expect(start).rejects.toThrow(`${files.kmes.KME_A!.cert} + ${files.kmes.KME_B!.key}`);
    await expect(start).rejects.toThrow(/does not belong to certificate/);
  });
});
