// <open-configuration><private/></open-configuration> and <close-configuration/>.
import { RpcFailure } from '../rpc-error.js';
import { child } from '../xml.js';
import { OK, type RpcHandler } from './context.js';

export const openConfiguration: RpcHandler = (ctx, op) => {
  if (child(op, 'private')) ctx.device.store.openPrivate(ctx.session);
  else if (child(op, 'exclusive')) ctx.device.store.lock(ctx.session);
  else throw new RpcFailure({ tag: 'invalid-value', message: 'open-configuration supports <private/> or <exclusive/>', badElement: op.children[0]?.name ?? 'open-configuration' });
  return OK;
};

export const closeConfiguration: RpcHandler = (ctx) => {
  ctx.device.store.closePrivate(ctx.session);
  return OK;
};
