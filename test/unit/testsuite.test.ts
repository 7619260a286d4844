// The exported array suite (darray/testsuite) defines its cases through the runner's describe/it.
import { describe, expect, it } from 'vitest';
import { runArraySuite, type TestApi, type TestBody } from '../../src/testsuite/index.js';

/** A runner that records what the suite defines (describe bodies run at once, as node:test does). */
function recorder(): { api: TestApi; cases: string[]; skipped: string[] } {
  const cases: string[] = [];
  const skipped: string[] = [];
  const run = (name: string, _body: TestBody) => cases.push(name);
  run.skip = (name: string, _body: TestBody) => skipped.push(name);
  return { api: { describe: (_name, body) => body(), it: run }, cases, skipped };
}

const options = { toBackend: async <T>(a: T) => a, backend: 'cpu' };

describe('runArraySuite', () => {
  it('defines every case per dtype, and a skipped case under a name that carries its reason', () => {
    const r = recorder();
    runArraySuite('cpu', { ...options, test: r.api, skip: { 'map float32': 'a reason given here' } });
    expect(r.cases).toContain('map float64');
    expect(r.cases).toContain("powerMethod on the manual's [2 1; 1 1] float32");
    expect(r.cases).not.toContain('map float32');
    expect(r.skipped).toEqual(['map float32 (skipped: a reason given here)']);
  });

  it('a skip that names no case is an error listing the cases', () => {
    const r = recorder();
    expect(() =>
      runArraySuite('cpu', { ...options, test: r.api, dtypes: ['float32'], skip: { 'map float64': 'x' } }),
    ).toThrow(/runArraySuite\("cpu"\): skip names no case: "map float64"; the cases are: .*map float32/);
  });
});
