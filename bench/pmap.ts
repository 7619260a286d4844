/**
 * pmap over 10,000 tiny items (batchSize 1 and automatic), in items per second, against a
 * sequential remotecallFetch loop over the same items in the same run; and a RemoteChannel
 * ping-pong between two workers, against worker-to-worker remotecallFetch round trips.
 */
import { addprocs, Channel, pmap, RemoteChannel, remotecallFetch, rmprocs } from '../src/index.js';
import { median, report } from './lib/report.js';

const N = Number(process.env.ITEMS ?? 10_000);
const PINGS = Number(process.env.PINGS ?? 2000);
const REPS = Number(process.env.REPS ?? 3);

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function main() {
  const [p2, p3] = (await addprocs(2)) as [number, number];
  const items = Array.from({ length: N }, (_, i) => i);
  const tiny = (x: number) => x + 1;
  const loop = async () => {
    for (const x of items) await remotecallFetch(tiny, p2, x);
  };
  await pmap(tiny, items.slice(0, 500));
  const loopRates: number[] = [];
  const pm1: number[] = [];
  const pmAuto: number[] = [];
  for (let r = 0; r < REPS; r++) {
    loopRates.push(N / (await timeIt(loop)));
    pm1.push(N / (await timeIt(() => pmap(tiny, items, { batchSize: 1 }))));
    pmAuto.push(N / (await timeIt(() => pmap(tiny, items, { batchSize: 'auto' }))));
  }

  // Ping-pong: worker 2 sends on a channel owned by worker 3 and waits on one it owns, and back.
  const ping = new RemoteChannel(() => new Channel<number>(1), p3);
  const pong = new RemoteChannel(() => new Channel<number>(1), p2);
  const pingRates: number[] = [];
  const rcRates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const echo = remotecallFetch(
      async (inbox: RemoteChannel<number>, outbox: RemoteChannel<number>, n: number) => {
        for (let i = 0; i < n; i++) await outbox.put(await inbox.take());
      },
      p3,
      ping,
      pong,
      PINGS,
    );
    const seconds = await remotecallFetch(
      async (outbox: RemoteChannel<number>, inbox: RemoteChannel<number>, n: number) => {
        const t = performance.now();
        for (let i = 0; i < n; i++) {
          await outbox.put(i);
          await inbox.take();
        }
        return (performance.now() - t) / 1000;
      },
      p2,
      ping,
      pong,
      PINGS,
    );
    await echo;
    pingRates.push(PINGS / seconds);
    const rc = await remotecallFetch(
      async (other: number, n: number) => {
        const t = performance.now();
        for (let i = 0; i < n; i++) await remotecallFetch((x: number) => x, other, i);
        return (performance.now() - t) / 1000;
      },
      p2,
      p3,
      PINGS,
    );
    rcRates.push(PINGS / rc);
  }
  ping.finalize();
  pong.finalize();
  await rmprocs([p2, p3]);
  const loopRate = median(loopRates);
  report(
    'pmap',
    [
      {
        metric: `pmap ${N} tiny items, batchSize 1`,
        ours: median(pm1),
        peer: loopRate,
        unit: 'items/s',
        ratio: median(pm1) / loopRate,
      },
      {
        metric: `pmap ${N} tiny items, batchSize auto`,
        ours: median(pmAuto),
        peer: loopRate,
        unit: 'items/s',
        ratio: median(pmAuto) / loopRate,
      },
      {
        metric: 'RemoteChannel ping-pong, worker↔worker',
        ours: median(pingRates),
        peer: median(rcRates),
        unit: 'exchanges/s',
        ratio: median(pingRates) / median(rcRates),
        note: 'peer: worker-to-worker remotecallFetch round trips; one exchange is two remote channel ops',
      },
    ],
    { items: N, pings: PINGS, reps: REPS, peer: 'sequential remotecallFetch loop on one worker' },
  );
}

await main();
