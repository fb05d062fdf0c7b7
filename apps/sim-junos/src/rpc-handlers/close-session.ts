// <close-session/>: answer <ok/>, then end the session (releasing its lock and private database).
import { OK, type RpcHandler } from './context.js';

export const closeSession: RpcHandler = (ctx) => {
  ctx.closeAfterReply();
  return OK;
};
