// <kill-session><session-id>N</session-id></kill-session>: ends another session on this device,
// releasing its lock (its uncommitted exclusive changes are discarded).
import { RpcFailure } from '../rpc-error.js';
import { childText } from '../xml.js';
import { OK, type RpcHandler } from './context.js';

export const killSession: RpcHandler = (ctx, op) => {
  const text = childText(op, 'session-id');
  if (text === undefined || !/^\d+$/.test(text)) throw new RpcFailure({ tag: 'missing-element', message: 'kill-session needs a numeric <session-id>', badElement: 'session-id' });
  const id = Number(text);
  if (id === ctx.session.id) throw new RpcFailure({ tag: 'invalid-value', message: 'cannot kill the current session', badElement: text });
  const target = ctx.device.sessions.get(id);
  if (!target) throw new RpcFailure({ tag: 'invalid-value', message: `session ${id} does not exist`, badElement: text });
  target.kill();
  ctx.device.store.endSession({ id, user: target.user });
  return OK;
};
