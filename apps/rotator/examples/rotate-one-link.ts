// Drives the rotation engine against the demo's simulators: init, then one rotation of one link.
// Run after `npm run build`: npx tsx apps/rotator/examples/rotate-one-link.ts
import { createLogger, createRotator, loadConfig, startDemoWorld } from '@qkd-macsec/rotator';

const world = await startDemoWorld(); // sim-kme + sim-junos and a config file for them, in a temp dir
try {
  const config = await loadConfig(world.configFile); // throws ConfigError with .issues
  const rotator = createRotator({
    config,
    logger: createLogger({ level: 'warn' }),
    startAfterConfirmTimeout: false, // demo speed: start-time = now + leadTimeSeconds
  });
  await rotator.init();
  const report = await rotator.rotate({ links: ['dc1-dc2'] });
  for (const l of report.links) console.log(`${l.link}: ${l.result}, key ${l.keyId}, devices ${l.devices.join(', ')}`);
  console.log(`cable dc1-dc2 is ${world.junos.linkStatus('dc1-dc2').state}`);
  await rotator.close();
} finally {
  await world.close();
}
