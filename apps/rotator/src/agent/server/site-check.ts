// validate --connect at a site: the coordinator asks the agent to reach its KMEs and devices.
import { describeError } from '../../engine/device-ops.js';
import type { KmeClients } from '../../fleet/kme-clients.js';
import type { AgentConfig } from '../config/types.js';
import type { AgentCheck } from '../protocol/schemas.js';
import type { DeviceEndpoints } from './device-ops.js';

/** The status of each asked-for SAE pair (`sae:slave`), the facts of each device. */
export async function checkSite(config: AgentConfig, kmeClients: KmeClients, devices: DeviceEndpoints, pairs: string[]): Promise<AgentCheck> {
  const { site } = config;
  const kmes = await Promise.all(
    pairs.map(async (pair) => {
      const [sae = '', slave = ''] = pair.split(':');
      if (!config.saes[sae]) return { sae: sae || '?', slave: slave || '?', ok: false, message: `SAE ${sae} is not at site ${site}` };
      try {
        await kmeClients.get(sae).getStatus(slave);
        return { sae, slave, ok: true };
      } catch (e) {
        return { sae, slave, ok: false, message: describeError(e) };
      }
    }),
  );
  const deviceResults = await Promise.all(
    Object.keys(config.devices).map(async (device) => {
      try {
        const { facts } = await devices.facts({ requestId: '00000000-0000-4000-8000-000000000000', device });
        return { device, ok: true, ...(facts.model ? { model: facts.model } : {}), ...(facts.version ? { version: facts.version } : {}) };
      } catch (e) {
        return { device, ok: false, message: describeError(e) };
      }
    }),
  );
  return { site, kmes, devices: deviceResults };
}
