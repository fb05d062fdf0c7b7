// <get-commit-information/> (show system commit): the rollback history, newest first.
import { el } from '../xml.js';
import { junosTime, type RpcHandler } from './context.js';

export const getCommitInformation: RpcHandler = (ctx) => {
  const entries = ctx.device.store.history.map(
    (r, i) =>
      '<commit-history>' +
      el('sequence-number', i) +
      el('user', r.user) +
      el('client', 'netconf') +
      `<date-time junos:seconds="${Math.floor(r.time / 1000)}">${junosTime(r.time)}</date-time>` +
      (r.log !== undefined ? el('log', r.log) : '') +
      (r.confirmPending ? el('comment', 'commit confirmed, rollback pending') : '') +
      '</commit-history>',
  );
  return { body: `<commit-information>${entries.join('')}</commit-information>` };
};
