/**
 * The manual's jobs/results example: four workers take job ids from a RemoteChannel, "work" for a
 * random time, and put (job, time, worker) on a results channel that the master drains.
 * Run: npm run build && node dist/examples/jobs-results.js
 */
import { addprocs, Channel, RemoteChannel, remoteDo, rmprocs, workers } from '../src/index.js';

const n = 12;
const pids = await addprocs(4);
const jobs = new RemoteChannel(() => new Channel<number>(32));
const results = new RemoteChannel(() => new Channel<[number, number, number]>(32));

for (const p of workers()) {
  remoteDo(
    async (jobsIn: RemoteChannel<number>, resultsOut: RemoteChannel<[number, number, number]>) => {
      for await (const job of jobsIn) {
        const t = Math.random() * 0.2;
        await new Promise((r) => setTimeout(r, t * 1000));
        await resultsOut.put([job, t, myid()]);
      }
    },
    p,
    jobs,
    results,
  );
}

for (let j = 1; j <= n; j++) await jobs.put(j);
let elapsed = 0;
for (let k = 0; k < n; k++) {
  const [job, t, where] = await results.take();
  console.log(`${job} finished in ${t.toFixed(2)} seconds on worker ${where}`);
  elapsed += t;
}
await jobs.close();
console.log(`total work time ${elapsed.toFixed(2)} seconds over ${n} jobs`);
await rmprocs(pids);

declare function myid(): number;
