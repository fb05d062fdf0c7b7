// What every RPC handler gets, and what it returns.
import type { Clock } from '../clock.js';
import type { SimDevice } from '../device.js';
import type { LinkModel } from '../link-model.js';
import type { RpcErrorInfo } from '../rpc-error.js';
import type { SessionRef } from '../store.js';
import type { XmlElement } from '../xml.js';

export interface RpcContext {
  device: SimDevice;
  session: SessionRef;
  clock: Clock;
  links: LinkModel;
  /** Ends the session once this reply is sent. */
  closeAfterReply(): void;
  /** Drops the SSH connection now, without a reply (a fault; names it in the log). */
  dropConnection(fault: string): void;
}

export interface RpcResult {
  /** XML placed inside <rpc-reply> after any warnings. */
  body: string;
  warnings?: RpcErrorInfo[];
}

export type RpcHandler = (ctx: RpcContext, op: XmlElement) => RpcResult | Promise<RpcResult>;

export const OK: RpcResult = { body: '<ok/>' };

/** Junos' localtime form: "2026-01-01 00:00:00 UTC". */
export function junosTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function warningsFrom(messages: string[], path?: string[]): RpcErrorInfo[] {
  return messages.map((message) => ({ severity: 'warning', message, ...(path ? { path } : {}) }));
}
