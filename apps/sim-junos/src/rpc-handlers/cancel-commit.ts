// <cancel-commit/> (NETCONF :confirmed-commit): roll back a pending commit confirmed now.
import { OK, type RpcHandler } from './context.js';

export const cancelCommit: RpcHandler = (ctx) => {
  ctx.device.store.cancelConfirmed();
  return OK;
};
