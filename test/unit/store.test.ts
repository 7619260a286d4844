import { describe, expect, it } from 'vitest';
import { markGone } from '../../src/cluster/mesh.js';
import { addClient, outcome, remoteRefCount, removeClient, settle } from '../../src/remote/store.js';

describe('the store of remote values', () => {
  it('frees a value when its last holder releases it', () => {
    const before = remoteRefCount();
    settle([7, 1], true, 'v');
    addClient([7, 1], 9);
    removeClient([7, 1], 7);
    expect(remoteRefCount()).toBe(before + 1);
    removeClient([7, 1], 9);
    expect(remoteRefCount()).toBe(before);
    expect(() => outcome([7, 1])).toThrow(/already fetched and freed/);
  });

  it('drops a value whose creator released it before it was made (a release overtaking a slow call)', () => {
    const before = remoteRefCount();
    removeClient([7, 2], 7);
    settle([7, 2], true, 'late');
    expect(remoteRefCount()).toBe(before);
  });

  it('forgets what a process held when the cluster reports it gone (the cluster does not call the store)', () => {
    const before = remoteRefCount();
    settle([7, 3], true, 'held by 43 only');
    addClient([7, 3], 43);
    removeClient([7, 3], 7);
    expect(remoteRefCount()).toBe(before + 1);
    markGone(43, 'exited in a test');
    expect(remoteRefCount()).toBe(before);
  });
});
