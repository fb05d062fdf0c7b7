// <get-route-engine-information/> (show chassis routing-engine): one master RE; PyEZ reads it for facts.
import { el } from '../xml.js';
import type { RpcHandler } from './context.js';

export const getRouteEngineInformation: RpcHandler = (ctx) => ({
  body:
    '<route-engine-information><route-engine>' +
    el('slot', 0) +
    el('mastership-state', 'master') +
    el('status', 'OK') +
    el('model', `RE-${ctx.device.model.toUpperCase()}`) +
    el('serial-number', ctx.device.serialNumber) +
    '</route-engine></route-engine-information>',
});
