// The shared array suite on SharedArrays over two worker processes (backend 'shared').
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { addprocs, SharedArray } from '../../src/index.js';
import { SEGMENT_PREFIX } from '../../src/shared/segment.js';
import { removeAllAndCheck, waitUntil } from '../integration/leaks.js';
import { runArraySuite } from './array-suite.js';

let pids: number[] = [];
const inputs: SharedArray[] = [];
const mine = () => readdirSync('/dev/shm').filter((f) => f.startsWith(`${SEGMENT_PREFIX}${process.pid}-`));

beforeAll(async () => {
  pids = await addprocs(2);
});
afterAll(async () => {
  for (const S of inputs) await S.close();
  // The suite does not close the results of ops; a SharedArray collected unclosed has its file
  // removed by the owner's finalizer, which this checks too.
  await waitUntil(
    async () => {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 50));
      return mine().length === 0;
    },
    10_000,
    'the segments of collected SharedArrays to be removed',
  );
  expect(mine()).toEqual([]);
  await removeAllAndCheck();
});

runArraySuite('SharedArray (2 workers)', {
  toBackend: async (a) => {
    const S = await SharedArray.create(a.dtype, a.shape, { pids });
    S.data.set(a.data);
    inputs.push(S);
    return S;
  },
  backend: 'shared',
});
