// A closure written inline in a loop (remotecallFetch(() => …, p)) is a new function object on
// every call; its source is analysed once, and again only when the names it may use change.
import { describe, expect, it } from 'vitest';
import { myid } from '../../src/index.js';
import { analyse, sourcesParsed } from '../../src/remote/ship.js';
import { scopeChanged, userScope } from '../../src/remote/user-scope.js';

describe('shipping a closure made anew on every call', () => {
  it('parses its source once', () => {
    const before = sourcesParsed;
    const made = [];
    for (let i = 0; i < 20; i++) made.push(analyse((x: number) => x + myid()));
    expect(sourcesParsed - before).toBe(1);
    // The same shippable form (hash, id) for every copy: a peer compiles it once.
    expect(new Set(made.map((s) => `${s?.hash}/${s?.id}`)).size).toBe(1);
  });

  it('is analysed again when the names in scope change, so an error or an answer never goes stale', () => {
    const fresh = () => (x: number) => x * lateHelperForShipTest(x);
    expect(() => analyse(fresh())).toThrow(/lateHelperForShipTest/);
    userScope.set('lateHelperForShipTest', (x: number) => x + 1);
    scopeChanged();
    try {
      expect(analyse(fresh())?.names).toEqual(['lateHelperForShipTest']);
      const before = sourcesParsed;
      analyse(fresh());
      expect(sourcesParsed - before).toBe(0);
    } finally {
      userScope.delete('lateHelperForShipTest');
      scopeChanged();
    }
    expect(() => analyse(fresh())).toThrow(/lateHelperForShipTest/);
  });
});

declare function lateHelperForShipTest(x: number): number;
