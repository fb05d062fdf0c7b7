// The public API: what the README documents or the workspace's apps and tools use. The framing
// codec (decoder, encoder, outbox, hello builder) is the `./framing` entry point's; the XML reader
// the `./xml` entry point's.
export {
  NetconfError,
  RpcError,
  RpcFailedError,
  NetconfTimeoutError,
  NetconfAbortError,
  ConnectionClosedError,
  HostKeyError,
  AuthenticationError,
  ConnectionError,
  PoolClosedError,
  type NetconfErrorContext,
  type HostKeyErrorReason,
} from './errors.js';
export { FramingError, type FramingErrorReason } from './framing/errors.js';
export { HelloError, parseHello, BASE_1_0, BASE_1_1, type HelloErrorReason } from './framing/hello.js';
export type { Framing } from './framing/encode.js';
export { parseXml, escapeXmlText, escapeXmlAttribute, XmlError, type XmlErrorReason } from './xml/index.js';
export type { Logger } from './logger.js';
export { connectSsh, redactOptions, type SshTransport, type SshTransportOptions } from './ssh/transport.js';
export { sha256Fingerprint } from './ssh/fingerprint.js';
export { sshNativeCrypto, type SshNativeCrypto } from './ssh/native-crypto.js';
export { poolSshPadding, type SshPaddingPool } from './ssh/padding.js';
export { releaseHandshakeLeftovers } from './ssh/handshake-leftovers.js';
export { startRpcSession, type RpcSession, type RpcSessionOptions, type RpcOptions, type RpcResponse } from './session/rpc-session.js';
export { parseRpcReply, type ParsedReply } from './session/reply.js';
export { connectNetconf, type NetconfClient, type NetconfClientOptions, type DataResponse, type UploadOptions } from './netconf/client.js';
export {
  getRpc,
  getConfigRpc,
  editConfigRpc,
  commitRpc,
  cancelCommitRpc,
  discardChangesRpc,
  validateRpc,
  lockRpc,
  unlockRpc,
  killSessionRpc,
  type Datastore,
  type Filter,
  type EditConfigOptions,
  type CommitOptions,
} from './netconf/operations.js';
export { asArray, textOf, childObject, childNames, findAll, isObject, type XmlObject } from './xml/nodes.js';
export { connectJunos, junosDevice, type JunosDevice, type ConfigurationMode, type ConfigurationResponse } from './junos/device.js';
export * from './junos/rpcs.js';
export { parseFacts, type JunosFacts } from './junos/facts.js';
export { parseMkaSummaries, type MkaSummary } from './junos/mka-summary.js';
export { parseMkaSessions, parseMacsecConnections, type MkaSession, type MkaCak, type MacsecConnection, type MacsecSecureAssociation } from './junos/mka.js';
export { createSessionPool, type SessionPool, type SessionPoolOptions, type PooledSession, type RetryOptions, type UseOptions, type PoolStats } from './pool/pool.js';
export { extractSecrets, redactText, redactConfigurationText, REDACTED } from './junos/secrets.js';
