// The daemon's periodic certificate check: each SAE certificate's expiry to /metrics, and a log
// line for one that must be renewed now or is due.
import type { RotatorConfig } from '../config/index.js';
import type { RotatorLogger } from '../log/index.js';
import type { RotatorMetrics } from '../metrics/index.js';
import { checkCertificates, mustRenewNow } from './commands/certs.js';
import { errorText } from './context.js';

export async function checkCertificatesNow(config: RotatorConfig, metrics: RotatorMetrics, logger: RotatorLogger, at: Date): Promise<void> {
  try {
    for (const e of await checkCertificates(config, at)) {
      if (e.notAfter !== undefined) metrics.setCertificateExpiry(e.sae, new Date(e.notAfter));
      if (mustRenewNow(e)) logger.error(`certificate of SAE ${e.sae} must be renewed now (${e.action}): ${e.problems.join('; ')}`, { sae: e.sae });
      else if (e.action === 'renew-at') logger.warn(`certificate of SAE ${e.sae} is due for renewal at ${e.renewAt}`, { sae: e.sae });
    }
  } catch (err) {
    logger.error(`certificate check failed: ${errorText(err)}`);
  }
}
