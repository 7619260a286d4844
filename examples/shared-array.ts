/**
 * The manual's SharedArray examples: an array in memory shared by the workers of this host, filled
 * by an `init` that runs on each of them, then written by the master and seen by everyone.
 * Run: npm run build && node dist/examples/shared-array.js
 */
import {
  addprocs,
  indexpids,
  localindices,
  myid,
  remotecallFetch,
  rmprocs,
  SharedArray,
  sdata,
} from '../src/index.js';

const pids = await addprocs(3);

// Julia: S = SharedArray{Int,2}((3,4), init = S -> S[localindices(S)] = myid())
const S = await SharedArray.create('int32', [3, 4], {
  init: (S) => {
    const [[lo, hi]] = localindices(S);
    S.data.fill(myid(), lo, hi);
  },
});
console.log(`S = ${JSON.stringify(sdata(S).toArray())}`);
// Julia: S[3,2] = 7 (1-based), seen by every process that maps S.
sdata(S).set(7, 2, 1);
console.log(
  `S[2, 1] on worker ${pids[0]}: ${await remotecallFetch((S: SharedArray) => sdata(S).get(2, 1), pids[0] as number, S)}`,
);
await S.close();

// Julia: S = SharedArray{Int,2}((3,4), init = S -> S[indexpids(S):length(procs(S)):length(S)] = myid())
const T = await SharedArray.create('int32', [3, 4], {
  pids: pids.slice(0, 2),
  init: (S) => {
    for (let i = indexpids(S) - 1; i < S.size; i += S.pids.length) S.data[i] = myid();
  },
});
console.log(`T = ${JSON.stringify(sdata(T).toArray())}`);
await T.close();
await rmprocs(pids);
