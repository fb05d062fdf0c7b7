// <lock-configuration>/<unlock-configuration> (Junos) and <lock>/<unlock> on the candidate (NETCONF).
import { RpcFailure } from '../rpc-error.js';
import { child } from '../xml.js';
import { OK, type RpcHandler } from './context.js';

export const lockConfiguration: RpcHandler = (ctx) => {
  ctx.device.store.lock(ctx.session);
  return OK;
};

export const unlockConfiguration: RpcHandler = (ctx) => {
  ctx.device.store.unlock(ctx.session);
  return OK;
};

const candidateTarget = (op: Parameters<RpcHandler>[1]) => {
  if (!child(child(op, 'target'), 'candidate'))
    throw new RpcFailure({ tag: 'invalid-value', message: `${op.name} supports only <target><candidate/></target>`, badElement: 'target' });
};

export const lock: RpcHandler = (ctx, op) => {
  candidateTarget(op);
  return lockConfiguration(ctx, op);
};

export const unlock: RpcHandler = (ctx, op) => {
  candidateTarget(op);
  return unlockConfiguration(ctx, op);
};
