// <get-chassis-inventory/> (show chassis hardware).
import { el } from '../xml.js';
import type { RpcHandler } from './context.js';

export const getChassisInventory: RpcHandler = (ctx) => {
  const d = ctx.device;
  return {
    body:
      '<chassis-inventory><chassis junos:style="inventory">' +
      el('name', 'Chassis') +
      el('serial-number', d.serialNumber) +
      el('description', d.model.toUpperCase()) +
      '</chassis></chassis-inventory>',
  };
};
