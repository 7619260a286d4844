/**
 * The exported array suite (src/testsuite, `darray/testsuite`) bound to vitest, for this
 * repository's suites: each test/suite/*.test.ts passes its backend's options.
 */
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { describe, it } from 'vitest';
import { type ArraySuiteOptions, runArraySuite as run } from '../../src/testsuite/index.js';

export { referenceBroadcast } from '../../src/testsuite/index.js';

/** Defines the shared suite for one array type under vitest. */
export function runArraySuite(name: string, options: Omit<ArraySuiteOptions, 'test'>): void {
  run(name, { ...options, test: { describe, it } });
}
