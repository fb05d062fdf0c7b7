// <get-macsec-connection-interface-information> (show security macsec connections interface X):
// the YANG's per-interface variant, input leaf interface-name (default "all").
import type { RpcHandler } from './context.js';
import { macsecConnectionReply } from './get-macsec-connection-information.js';
import { refuseInputsExcept, selectedInterface } from './rpc-input.js';

export const getMacsecConnectionInterfaceInformation: RpcHandler = (ctx, op) => {
  refuseInputsExcept(op, ['interface-name']);
  return macsecConnectionReply(ctx, selectedInterface(op));
};
