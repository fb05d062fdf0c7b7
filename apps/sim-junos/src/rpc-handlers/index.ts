// RPC name → handler. Junos-specific and NETCONF base operations share one table.
import type { RpcHandler } from './context.js';
import { cancelCommit } from './cancel-commit.js';
import { closeSession } from './close-session.js';
import { command } from './command.js';
import { commit, commitConfiguration, validate } from './commit-configuration.js';
import { discardChanges } from './discard-changes.js';
import { getChassisInventory } from './get-chassis-inventory.js';
import { getCommitInformation } from './get-commit-information.js';
import { get } from './get.js';
import { getConfig, getConfiguration } from './get-configuration.js';
import { getLinkDownIntervals } from './get-link-down-intervals.js';
import { getMacsecConnectionInformation } from './get-macsec-connection-information.js';
import { getMacsecConnectionInterfaceInformation } from './get-macsec-connection-interface-information.js';
import { getMkaSessionInformation } from './get-mka-session-information.js';
import { getMkaSessionInterfaceInformation } from './get-mka-session-interface-information.js';
import { getRouteEngineInformation } from './get-route-engine-information.js';
import { getSoftwareInformation } from './get-software-information.js';
import { getSystemUptimeInformation } from './get-system-uptime-information.js';
import { killSession } from './kill-session.js';
import { editConfig, loadConfiguration } from './load-configuration.js';
import { lock, lockConfiguration, unlock, unlockConfiguration } from './lock-configuration.js';
import { closeConfiguration, openConfiguration } from './open-configuration.js';

export type { RpcContext, RpcHandler, RpcResult } from './context.js';

export const RPC_HANDLERS: Readonly<Record<string, RpcHandler>> = {
  'get-configuration': getConfiguration,
  'load-configuration': loadConfiguration,
  'commit-configuration': commitConfiguration,
  'lock-configuration': lockConfiguration,
  'unlock-configuration': unlockConfiguration,
  'open-configuration': openConfiguration,
  'close-configuration': closeConfiguration,
  'discard-changes': discardChanges,
  'get-software-information': getSoftwareInformation,
  'get-chassis-inventory': getChassisInventory,
  'get-route-engine-information': getRouteEngineInformation,
  'get-system-uptime-information': getSystemUptimeInformation,
  'get-commit-information': getCommitInformation,
  'get-mka-session-information': getMkaSessionInformation,
  'get-mka-session-interface-information': getMkaSessionInterfaceInformation,
  'get-macsec-connection-information': getMacsecConnectionInformation,
  'get-macsec-connection-interface-information': getMacsecConnectionInterfaceInformation,
  'get-link-down-intervals': getLinkDownIntervals,
  command,
  'get-config': getConfig,
  'edit-config': editConfig,
  lock,
  unlock,
  commit,
  validate,
  'cancel-commit': cancelCommit,
  get,
  'kill-session': killSession,
  'close-session': closeSession,
};
