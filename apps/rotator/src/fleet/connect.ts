// Default connectors built from the resolved configuration: NETCONF/SSH to a device with its
// credentials and host key policy, an ETSI 014 client speaking as an SAE to its KME.
import { createQkdClient, type QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import type { RotatorConfig } from '../config/schema.js';

type Warn = { warn(...args: unknown[]): unknown };

export function deviceConnector(config: Pick<RotatorConfig, 'devices'>, logger?: Warn): (name: string) => Promise<JunosDevice> {
  return async (name) => {
    const d = config.devices[name];
    if (!d) throw new Error(`device "${name}" is not in the configuration`);
    return connectJunos({
      host: d.host,
      port: d.port,
      username: d.username,
      ...(d.password ? { password: d.password.reveal() } : {}),
      ...(d.privateKey ? { privateKey: d.privateKey.key.reveal(), ...(d.privateKey.passphrase ? { passphrase: d.privateKey.passphrase.reveal() } : {}) } : {}),
      ...(d.hostKey.fingerprints.length ? { hostKeyFingerprints: d.hostKey.fingerprints } : {}),
      ...(d.hostKey.knownHostsFile ? { knownHostsFile: d.hostKey.knownHostsFile } : {}),
      ...(d.hostKey.insecureAcceptAnyHostKey ? { insecureAcceptUnknownHostKey: true } : {}),
      ...(logger ? { logger: { warn: (m: string) => void logger.warn(`device ${name}: ${m}`) } } : {}),
    });
  };
}

export function kmeConnector(config: Pick<RotatorConfig, 'saes' | 'kmes'>, logger?: Warn): (sae: string) => QkdClient {
  return (saeId) => {
    const sae = config.saes[saeId];
    if (!sae) throw new Error(`SAE "${saeId}" is not in the configuration`);
    const kme = config.kmes[sae.kme];
    if (!kme) throw new Error(`KME "${sae.kme}" of SAE ${saeId} is not in the configuration`);
    return createQkdClient({
      baseUrl: kme.url,
      tls: { certFile: sae.certFile, keyFile: sae.keyFile, ...(kme.caFile ? { caFile: kme.caFile } : {}) },
      ...(kme.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
      ...(kme.timeoutMs ? { timeoutMs: kme.timeoutMs } : {}),
      ...(logger ? { logger: { warn: (m: string) => void logger.warn(`KME ${kme.id} as ${saeId}: ${m}`) } } : {}),
    });
  };
}
