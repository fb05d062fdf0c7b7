// Input checks shared by the show RPCs, per the junos-rpc-security YANG's input statements.
import { RpcFailure } from '../rpc-error.js';
import type { XmlElement } from '../xml.js';

/** Junos answers an input element an RPC does not define with a syntax error naming it. */
export function refuseInputsExcept(op: XmlElement, allowed: readonly string[]): void {
  const bad = op.children.find((c) => !allowed.includes(c.name));
  if (bad) throw new RpcFailure({ type: 'rpc', message: `syntax error, expecting <${op.name}> input: ${bad.name}`, badElement: bad.name });
}

/** The interface an `interface-name` input selects; the YANG's default "all" selects every one. */
export function selectedInterface(op: XmlElement): string | undefined {
  const name = op.children.find((c) => c.name === 'interface-name')?.text.trim();
  return name === undefined || name === '' || name === 'all' ? undefined : name;
}
