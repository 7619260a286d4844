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
  // A SharedArray needs its pids, so the identity is made on the host and shared like the inputs.
  eye: async (n, o) => {
    const S = await SharedArray.create(o.dtype, [n, o.m ?? n], { pids });
    for (let i = 0; i < Math.min(n, o.m ?? n); i++) S.data[i * (o.m ?? n) + i] = o.value ?? 1;
    inputs.push(S);
    return S;
  },
  skip: Object.fromEntries(
    (['float64', 'float32'] as const).map((dt) => [
      `rand and randn with { backend } make the host's numbers there ${dt}`,
      "rand(shape, { backend: 'shared' }) has no pids to place a SharedArray on; SharedArray.create then randInto is the way (tested by the other random cases)",
    ]),
  ),
});
