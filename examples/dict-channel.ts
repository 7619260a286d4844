/**
 * A RemoteChannel backed by a user-defined store: the manual's DictChannel, a dictionary with
 * channel verbs taking a key. Workers put values under keys; the master takes them by key.
 * Run: npm run build && node dist/examples/dict-channel.js
 */
import { addprocs, RemoteChannel, remotecallFetch, rmprocs } from '../src/index.js';

/** put(k, v), take(k) (waits for the key), fetch(k), isReady(k): the verbs a RemoteChannel forwards. */
function makeDictChannel() {
  const d = new Map<string, unknown>();
  const waiting: (() => void)[] = [];
  return {
    put(k: string, v: unknown) {
      d.set(k, v);
      for (const w of waiting.splice(0)) w();
    },
    async take(k: string) {
      while (!d.has(k)) await new Promise<void>((r) => waiting.push(r));
      const v = d.get(k);
      d.delete(k);
      return v;
    },
    fetch(k: string) {
      return d.get(k);
    },
    isReady(k: string) {
      return d.has(k);
    },
  };
}

const pids = await addprocs(2);
const dict = new RemoteChannel(makeDictChannel, pids[0]);
await Promise.all(
  pids.map((p) =>
    remotecallFetch(
      async (dc: RemoteChannel) => {
        await dc.put(`from-${myid()}`, myid() * 1000);
        dc.finalize();
      },
      p,
      dict,
    ),
  ),
);
for (const p of pids) console.log(`from-${p} =>`, await dict.take(`from-${p}`));
dict.finalize();
await rmprocs(pids);

declare function myid(): number;
