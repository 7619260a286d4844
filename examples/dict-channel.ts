/**
 * A RemoteChannel backed by a user-defined store: the manual's DictChannel, a dictionary with
 * channel verbs taking a key. Workers put values under keys; the master takes them by key.
 * Run: npm run build && node dist/examples/dict-channel.js
 */
import { addprocs, RemoteChannel, remotecallFetch, rmprocs } from '../src/index.js';
import { makeDictChannel } from './dict-store.js';

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
