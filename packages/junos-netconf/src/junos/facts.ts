import { childObject, findAll, isObject, textOf, type XmlObject } from '../xml/nodes.js';

export interface JunosFacts {
  hostname: string | undefined;
  model: string | undefined;
  version: string | undefined;
  serialNumber: string | undefined;
}

/** Version from <junos-version>, or from the "JUNOS … [version]" package comment older releases send. */
function versionOf(sw: XmlObject): string | undefined {
  const direct = textOf(sw['junos-version']);
  if (direct) return direct;
  for (const pkg of findAll(sw, 'package-information')) {
    const m = /\[([^\]]+)\]/.exec(textOf(isObject(pkg) ? pkg['comment'] : undefined) ?? '');
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Facts from the replies to <get-software-information/> and <get-chassis-inventory/>.
 * On a multi-RE system the first routing engine's software information is used.
 */
export function parseFacts(software: XmlObject, inventory: XmlObject | undefined): JunosFacts {
  const sw = findAll(software, 'software-information').find(isObject) ?? {};
  const chassis = inventory ? childObject(findAll(inventory, 'chassis-inventory').find(isObject), 'chassis') : undefined;
  return {
    hostname: textOf(sw['host-name']),
    model: textOf(sw['product-model']) ?? textOf(sw['product-name']) ?? textOf(chassis?.['description']),
    version: versionOf(sw),
    serialNumber: textOf(chassis?.['serial-number']),
  };
}
