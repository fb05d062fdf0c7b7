import { describe, expect, it } from 'vitest';
import * as r from './rpcs.js';

describe('Junos RPC XML', () => {
  it('get-configuration with filter, format and database', () => {
    expect(r.getConfigurationRpc()).toBe('<get-configuration/>');
    expect(r.getConfigurationRpc({ filter: '<security/>', format: 'text', database: 'committed' })).toBe(
      '<get-configuration format="text" database="committed"><configuration><security/></configuration></get-configuration>',
    );
    expect(r.getConfigurationRpc({ filter: '<configuration><system/></configuration>', format: 'set' })).toBe('<get-configuration format="set"><configuration><system/></configuration></get-configuration>');
    expect(() => r.getConfigurationRpc({ format: 'yaml' as never })).toThrow(/format must be one of xml, text, set, json; got "yaml"/);
  });

  it('load-configuration in all four formats, escaping text', () => {
    expect(r.loadConfigurationRpc({ format: 'set', config: 'set system host-name "a<b&c"' })).toBe(
      '<load-configuration action="set" format="text"><configuration-set>set system host-name "a&lt;b&amp;c"</configuration-set></load-configuration>',
    );
    expect(r.loadConfigurationRpc({ format: 'text', action: 'replace', config: 'system { host-name r1; }' })).toBe(
      '<load-configuration action="replace" format="text"><configuration-text>system { host-name r1; }</configuration-text></load-configuration>',
    );
    expect(r.loadConfigurationRpc({ format: 'xml', config: '<system><host-name>r1</host-name></system>' })).toBe(
      '<load-configuration action="merge" format="xml"><configuration><system><host-name>r1</host-name></system></configuration></load-configuration>',
    );
    expect(r.loadConfigurationRpc({ format: 'json', action: 'override', config: '{"configuration":{}}' })).toBe(
      '<load-configuration action="override" format="json"><configuration-json>{"configuration":{}}</configuration-json></load-configuration>',
    );
  });

  it('refuses inconsistent load options', () => {
    expect(() => r.loadConfigurationRpc({ format: 'set', action: 'merge', config: 'set a' })).toThrow(/action "set", not "merge"/);
    expect(() => r.loadConfigurationRpc({ format: 'text', action: 'set', config: 'a' })).toThrow(/needs format "set"/);
    expect(() => r.loadConfigurationRpc({ format: 'text', action: 'delete' as never, config: 'a' })).toThrow(/action must be one of/);
    expect(() => r.loadConfigurationRpc({ format: 'text', config: '  ' })).toThrow(/non-empty/);
  });

  it('commit-configuration: check, confirmed with timeout and comment, synchronize', () => {
    expect(r.commitConfigurationRpc()).toBe('<commit-configuration/>');
    expect(r.commitConfigurationRpc({ check: true })).toBe('<commit-configuration><check/></commit-configuration>');
    expect(r.commitConfigurationRpc({ confirmed: true, confirmTimeoutMinutes: 5, comment: 'qkd <rotation> & co' })).toBe(
      '<commit-configuration><confirmed/><confirm-timeout>5</confirm-timeout><log>qkd &lt;rotation&gt; &amp; co</log></commit-configuration>',
    );
    expect(r.commitConfigurationRpc({ synchronize: true })).toBe('<commit-configuration><synchronize/></commit-configuration>');
    expect(() => r.commitConfigurationRpc({ confirmed: true, confirmTimeoutMinutes: 0 })).toThrow(/confirmTimeoutMinutes must be an integer 1..65535/);
    expect(() => r.commitConfigurationRpc({ confirmTimeoutMinutes: 5 })).toThrow(/needs confirmed/);
    expect(() => r.commitConfigurationRpc({ check: true, confirmed: true })).toThrow(/cannot be confirmed/);
  });

  it('rollback, diff, locks, private configuration, cli, facts and MACsec RPCs', () => {
    expect(r.rollbackRpc(3)).toBe('<load-configuration rollback="3"/>');
    expect(() => r.rollbackRpc(50)).toThrow(/rollback must be an integer 0..49/);
    expect(r.diffRpc()).toBe('<get-configuration compare="rollback" rollback="0" format="text"/>');
    expect(r.lockConfigurationRpc()).toBe('<lock-configuration/>');
    expect(r.unlockConfigurationRpc()).toBe('<unlock-configuration/>');
    expect(r.openPrivateConfigurationRpc()).toBe('<open-configuration><private/></open-configuration>');
    expect(r.closeConfigurationRpc()).toBe('<close-configuration/>');
    expect(r.commandRpc('show security mka sessions | match <x>')).toBe('<command format="text">show security mka sessions | match &lt;x&gt;</command>');
    expect(r.softwareInformationRpc()).toBe('<get-software-information/>');
    expect(r.chassisInventoryRpc()).toBe('<get-chassis-inventory/>');
    expect(r.mkaSessionsRpc()).toBe('<get-mka-session-information/>');
    // The unfiltered RPCs take no interface (junos-rpc-security YANG); the *-interface-* ones do.
    expect(r.mkaSessionsRpc('et-0/0/1')).toBe('<get-mka-session-interface-information><interface-name>et-0/0/1</interface-name></get-mka-session-interface-information>');
    expect(r.macsecConnectionsRpc()).toBe('<get-macsec-connection-information/>');
    expect(r.macsecConnectionsRpc('ge-0/0/0 <x>')).toBe('<get-macsec-connection-interface-information><interface-name>ge-0/0/0 &lt;x&gt;</interface-name></get-macsec-connection-interface-information>');
  });
});
