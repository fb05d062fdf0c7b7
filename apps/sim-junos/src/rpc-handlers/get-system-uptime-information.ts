// <get-system-uptime-information/> (show system uptime), on the device clock.
import { el } from '../xml.js';
import { junosTime, type RpcHandler } from './context.js';

export const getSystemUptimeInformation: RpcHandler = (ctx) => {
  const now = ctx.clock.now();
  return {
    body: `<system-uptime-information><current-time><date-time junos:seconds="${Math.floor(now / 1000)}">${junosTime(now)}</date-time></current-time>${el('time-source', 'NTP CLOCK')}</system-uptime-information>`,
  };
};
