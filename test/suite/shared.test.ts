// The shared array suite on SharedArrays over two worker processes (backend 'shared').
import { afterAll, beforeAll } from 'vitest';
import { addprocs, SharedArray } from '../../src/index.js';
import { removeAllAndCheck } from '../integration/leaks.js';
import { runArraySuite } from './array-suite.js';

let pids: number[] = [];
beforeAll(async () => {
  pids = await addprocs(2);
});
afterAll(async () => {
  await removeAllAndCheck();
});

runArraySuite('SharedArray (2 workers)', {
  toBackend: async (a) => {
    const S = await SharedArray.create(a.dtype, a.shape, { pids });
    S.data.set(a.data);
    return S;
  },
  backend: 'shared',
});
