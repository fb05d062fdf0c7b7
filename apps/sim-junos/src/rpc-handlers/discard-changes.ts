// <discard-changes/>: the candidate goes back to the committed configuration.
import { OK, type RpcHandler } from './context.js';

export const discardChanges: RpcHandler = (ctx) => {
  ctx.device.store.discard(ctx.session);
  return OK;
};
