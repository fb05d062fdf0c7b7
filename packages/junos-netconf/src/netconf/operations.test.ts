import { describe, expect, it } from 'vitest';
import { cancelCommitRpc, commitRpc, discardChangesRpc, editConfigRpc, getConfigRpc, getRpc, killSessionRpc, lockRpc, unlockRpc, validateRpc } from './operations.js';

describe('standard NETCONF operation XML', () => {
  it('builds get / get-config with subtree and xpath filters', () => {
    expect(getRpc()).toBe('<get></get>');
    expect(getRpc({ subtree: '<interfaces/>' })).toBe('<get><filter type="subtree"><interfaces/></filter></get>');
    expect(getConfigRpc('candidate', { xpath: '/a[b="x&y"]' })).toBe('<get-config><source><candidate/></source><filter type="xpath" select="/a[b=&quot;x&amp;y&quot;]"/></get-config>');
    expect(() => getConfigRpc('bogus' as never)).toThrow(/unknown datastore "bogus"/);
  });

  it('builds edit-config with its options', () => {
    expect(editConfigRpc({ config: '<system/>', defaultOperation: 'merge', testOption: 'test-then-set', errorOption: 'rollback-on-error' })).toBe(
      '<edit-config><target><candidate/></target><default-operation>merge</default-operation><test-option>test-then-set</test-option><error-option>rollback-on-error</error-option><config><system/></config></edit-config>',
    );
  });

  it('builds commit, confirmed commit, cancel-commit, discard, validate, lock, unlock, kill-session', () => {
    expect(commitRpc()).toBe('<commit/>');
    expect(commitRpc({ confirmed: true, confirmTimeoutSeconds: 120, persist: 'a<b' })).toBe('<commit><confirmed/><confirm-timeout>120</confirm-timeout><persist>a&lt;b</persist></commit>');
    expect(() => commitRpc({ confirmTimeoutSeconds: 0 })).toThrow(/confirmTimeoutSeconds must be a positive integer/);
    expect(cancelCommitRpc()).toBe('<cancel-commit/>');
    expect(discardChangesRpc()).toBe('<discard-changes/>');
    expect(validateRpc()).toBe('<validate><source><candidate/></source></validate>');
    expect(lockRpc()).toBe('<lock><target><candidate/></target></lock>');
    expect(unlockRpc('running')).toBe('<unlock><target><running/></target></unlock>');
    expect(killSessionRpc(42)).toBe('<kill-session><session-id>42</session-id></kill-session>');
  });
});
