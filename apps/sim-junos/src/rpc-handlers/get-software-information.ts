// <get-software-information/> (show version).
import { el } from '../xml.js';
import type { RpcHandler } from './context.js';

export const getSoftwareInformation: RpcHandler = (ctx) => {
  const d = ctx.device;
  return {
    body:
      '<software-information>' +
      el('host-name', d.hostname) +
      el('product-model', d.model) +
      el('product-name', d.model) +
      el('junos-version', d.version) +
      `<package-information>${el('name', 'junos')}${el('comment', `JUNOS Software Release [${d.version}]`)}</package-information>` +
      '</software-information>',
  };
};

export function softwareText(ctx: Parameters<RpcHandler>[0]): string {
  const d = ctx.device;
  return `Hostname: ${d.hostname}\nModel: ${d.model}\nJunos: ${d.version}\nJUNOS Software Release [${d.version}]\n`;
}
