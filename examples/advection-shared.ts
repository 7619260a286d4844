/**
 * The manual's advection example (`advection_shared!`): q[i,j,t+1] = q[i,j,t] + u[i,j,t], with
 * the columns j split over the workers, each updating its own columns of one SharedArray in place;
 * checked against the serial loop. Arrays are row-major: (i, j, t) is at (i*n2 + j)*nt + t.
 * Run: npm run build && node dist/examples/advection-shared.js [n]
 */
import { addprocs, indexpids, rand, remotecallFetch, rmprocs, SharedArray } from '../src/index.js';

const n = Number(process.argv[2] ?? 100);
const [n1, n2, nt] = [n, n, n];
const pids = await addprocs(2);

/** Julia's advection_chunk! over columns [jlo, jhi) of q (any array with .data and this layout). */
function advectionChunk(q: Float64Array, u: Float64Array, dims: number[], jlo: number, jhi: number): void {
  const [a = 0, b = 0, c = 0] = dims;
  for (let t = 0; t < c - 1; t++)
    for (let j = jlo; j < jhi; j++)
      for (let i = 0; i < a; i++) {
        const at = (i * b + j) * c + t;
        q[at + 1] = (q[at] as number) + (u[at] as number);
      }
}

const u0 = rand([n1, n2, nt], { seed: 1 });
const q0 = rand([n1, n2, nt], { seed: 2 });
const serial = Float64Array.from(q0.data as Float64Array);
let t0 = performance.now();
advectionChunk(serial, u0.data as Float64Array, [n1, n2, nt], 0, n2);
const serialMs = performance.now() - t0;

const q = await SharedArray.create('float64', [n1, n2, nt], { pids });
const u = await SharedArray.create('float64', [n1, n2, nt], { pids });
q.data.set(q0.data);
u.data.set(u0.data);

// Julia's advection_shared_chunk!: myrange(q) picks this worker's columns, then advection_chunk!
// (shipped along as an argument: a shipped function cannot capture it from this module).
const sharedChunk = (q: SharedArray, u: SharedArray, chunk: typeof advectionChunk) => {
  const idx = indexpids(q);
  if (idx === 0) return;
  const b = q.shape[1] ?? 0;
  const lo = Math.round(((idx - 1) * b) / q.pids.length);
  const hi = Math.round((idx * b) / q.pids.length);
  chunk(q.data as Float64Array, u.data as Float64Array, [...q.shape], lo, hi);
};
t0 = performance.now();
await Promise.all(q.pids.map((p) => remotecallFetch(sharedChunk, p, q, u, advectionChunk)));
const sharedMs = performance.now() - t0;

const same = q.data.every((x, i) => x === serial[i]);
console.log(
  `advection_serial!: ${serialMs.toFixed(1)} ms; advection_shared! on ${pids.length} workers: ${sharedMs.toFixed(1)} ms`,
);
console.log(`shared result equals serial: ${same}`);
await q.close();
await u.close();
await rmprocs(pids);
if (!same) process.exit(1);
