// Checks across sections that zod cannot see one object at a time: references resolve, names are
// unique, a link's ends are distinct devices with distinct SAEs, no interface is in two links.
import type { ConfigFile } from './file-schema.js';
import type { ConfigIssue } from './errors.js';
import { intervalProblem } from './cycle-time.js';
import { platformIssues } from './platform-rules.js';
import { allDevices, siteOfSae } from './sites.js';

/** 127.0.0.0/8, ::1 and localhost: reachable from this host only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** KMEs, SAEs and devices: references resolve, credentials and peer verification are there (also the agent's file). */
export function crossCheckEndpoints(file: Pick<ConfigFile, 'kmes' | 'saes' | 'devices'>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  for (const [id, sae] of Object.entries(file.saes)) {
    if (file.kmes[sae.kme] === undefined) add(`saes.${id}.kme`, `KME "${sae.kme}" is not defined under kmes (known: ${known(file.kmes)})`);
  }
  for (const [name, device] of Object.entries(file.devices)) {
    if (file.saes[device.sae] === undefined) add(`devices.${name}.sae`, `SAE "${device.sae}" is not defined under saes (known: ${known(file.saes)})`);
    if (device.password === undefined && device.privateKey === undefined) add(`devices.${name}`, 'needs password or privateKey (from env or file)');
    const hk = device.hostKey;
    if (hk.fingerprint === undefined && hk.knownHosts === undefined && hk.insecureAcceptAnyHostKey !== true) {
      add(`devices.${name}.hostKey`, 'needs fingerprint or knownHosts (or, for labs only, insecureAcceptAnyHostKey: true)');
    }
  }
  for (const [id, kme] of Object.entries(file.kmes)) {
    if (kme.ca === undefined && kme.insecureSkipVerify !== true) add(`kmes.${id}`, 'needs ca (the CA that signs the KME certificate), or for labs only insecureSkipVerify: true');
  }
  return issues;
}

export function crossCheck(file: ConfigFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  issues.push(...crossCheckEndpoints(file));

  const linkNames = new Map<string, number>();
  const ifaceOwner = new Map<string, string>();
  const caOwner = new Map<string, string>();
  const devices = allDevices(file);
  file.links.forEach((link, i) => {
    const at = `links[${i}]`;
    const first = linkNames.get(link.name);
    if (first !== undefined) add(`${at}.name`, `"${link.name}" is already the name of links[${first}]`);
    else linkNames.set(link.name, i);

    const ends = [
      { path: `${at}.master`, end: link.master },
      ...link.slaves.map((end, j) => ({ path: `${at}.slaves[${j}]`, end })),
    ];
    const seenDevices = new Set<string>();
    const seenSaes = new Map<string, string>();
    for (const { path, end } of ends) {
      const device = devices.get(end.device);
      if (device === undefined) {
        const where = Object.keys(file.sites).length > 0 ? 'under devices or any sites.*.devices' : 'under devices';
        add(`${path}.device`, `device "${end.device}" is not defined ${where} (known: ${[...devices.keys()].join(', ') || 'none'})`);
        continue;
      }
      if (seenDevices.has(end.device)) add(`${path}.device`, `device "${end.device}" is already another end of this link`);
      seenDevices.add(end.device);
      const otherEnd = seenSaes.get(device.sae);
      if (otherEnd !== undefined) add(`${path}.device`, `device "${end.device}" uses SAE "${device.sae}", as ${otherEnd} does: each end of a link needs its own SAE`);
      else seenSaes.set(device.sae, path);
      const ca = link.connectivityAssociation ?? `qkd-${link.name}`;
      const caKey = `${end.device}\u0000${ca}`;
      const caUser = caOwner.get(caKey);
      if (caUser !== undefined && caUser !== link.name) add(`${at}.connectivityAssociation`, `"${ca}" on device "${end.device}" is already used by link "${caUser}"`);
      caOwner.set(caKey, link.name);
      const dupes = end.interfaces.filter((x, k) => end.interfaces.indexOf(x) !== k);
      if (dupes.length > 0) add(`${path}.interfaces`, `lists ${dupes.join(', ')} twice`);
      for (const iface of new Set(end.interfaces)) {
        const key = `${end.device}\u0000${iface}`;
        const owner = ifaceOwner.get(key);
        if (owner !== undefined) add(`${path}.interfaces`, `${end.device} ${iface} is already in link "${owner}"`);
        else ifaceOwner.set(key, link.name);
      }
    }
  });

  issues.push(...siteIssues(file));
  issues.push(...platformIssues(file));
  const interval = intervalProblem(file.rotation);
  if (interval !== undefined) add('rotation.intervalSeconds', interval);
  const host = file.control.listen.slice(0, file.control.listen.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
  if (file.control.tls === undefined && !isLoopback(host)) {
    add('control.listen', `${file.control.listen} is not a loopback address: the control endpoint runs rotations, so anywhere but 127.0.0.1, ::1 or localhost it needs control.tls (mutual TLS)`);
  }
  return issues;
}

/**
 * Sites: each SAE and device name in exactly one place (saes/devices or one site), a site device's
 * SAE one of its site's, and at least one device in the whole config.
 */
function siteIssues(file: ConfigFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const saeAt = new Map<string, string>(Object.keys(file.saes).map((id) => [id, 'saes']));
  const deviceAt = new Map<string, string>(Object.keys(file.devices).map((name) => [name, 'devices']));
  for (const [name, site] of Object.entries(file.sites)) {
    site.saes.forEach((sae, i) => {
      const other = saeAt.get(sae);
      if (other === `sites.${name}.saes`) add(`sites.${name}.saes[${i}]`, `lists SAE "${sae}" twice`);
      else if (other !== undefined) add(`sites.${name}.saes[${i}]`, `SAE "${sae}" is already under ${other}: an SAE is either reached directly or at one site`);
      else saeAt.set(sae, `sites.${name}.saes`);
    });
    for (const [device, d] of Object.entries(site.devices)) {
      const at = `sites.${name}.devices.${device}`;
      const other = deviceAt.get(device);
      if (other !== undefined) add(at, `device "${device}" is already under ${other}: a device is either reached directly or at one site`);
      else deviceAt.set(device, `sites.${name}.devices`);
      if (!site.saes.includes(d.sae)) add(`${at}.sae`, `SAE "${d.sae}" is not one of this site's saes (${site.saes.join(', ')}): a site's devices use its own SAEs`);
    }
  }
  for (const [name, device] of Object.entries(file.devices)) {
    const site = siteOfSae(file, device.sae);
    if (site !== undefined) add(`devices.${name}.sae`, `SAE "${device.sae}" is at site ${site}, whose agent alone holds its certificate: move ${name} under sites.${site}.devices (without its credentials)`);
  }
  if (deviceAt.size === 0) add('devices', 'must name at least one device (here, or under sites.*.devices)');
  return issues;
}

function known(record: Record<string, unknown>): string {
  const names = Object.keys(record);
  return names.length === 0 ? 'none' : names.join(', ');
}
