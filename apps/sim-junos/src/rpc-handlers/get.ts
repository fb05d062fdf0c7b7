// <get>: Junos answers with the committed configuration in <data>; subtree filters apply.
import { filterTree } from '../config-tree.js';
import { treeToXml } from '../config-xml.js';
import { child } from '../xml.js';
import type { RpcHandler } from './context.js';
import { filterSelector } from './get-configuration.js';

export const get: RpcHandler = (ctx, op) => {
  const filter = child(child(op, 'filter'), 'configuration');
  const tree = ctx.device.store.committed();
  return { body: `<data>${treeToXml(filter ? filterTree(tree, filterSelector(filter)) : tree)}</data>` };
};
