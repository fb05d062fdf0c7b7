// <get-mka-session-interface-information> (show security mka sessions interface X): the YANG's
// per-interface variant, input leaf interface-name (default "all"), plus the verbosity flags
// Junos takes on every MKA show RPC. Same reply as get-mka-session-information, filtered.
import type { RpcHandler } from './context.js';
import { refuseInputsExcept, selectedInterface } from './rpc-input.js';
import { getMkaSessionInformation } from './get-mka-session-information.js';

export const getMkaSessionInterfaceInformation: RpcHandler = (ctx, op) => {
  refuseInputsExcept(op, ['interface-name', 'summary', 'brief', 'detail']);
  const only = selectedInterface(op);
  // getMkaSessionInformation filters on an interface-name child: hand it only the one selected.
  return getMkaSessionInformation(ctx, { ...op, children: op.children.filter((c) => c.name === 'interface-name' && only !== undefined) });
};
