/**
 * Entry of a threadsFor pool thread. It loads the whole package, so a shipped body sees the API
 * by name as on any process, then runs the chunks it is sent, one at a time.
 */
import '../index.js';
import { parentPort, workerData } from 'node:worker_threads';
import { state } from '../cluster/state.js';
import { capture } from '../remote/exceptions.js';
import { functionFromDescriptor } from '../remote/ship.js';
import { type ChunkResult, runChunk } from './chunk.js';
import { enterPoolThread } from './config.js';
import type { ChunkReply, ChunkTask } from './pool.js';
import { decodeArg } from './transfer.js';

const tid = (workerData as { tid: number }).tid;
const port = parentPort as NonNullable<typeof parentPort>;
const loaded = new Set<string>();

async function run(task: ChunkTask): Promise<ChunkResult> {
  enterPoolThread(tid, task.size);
  state.myid = task.myid;
  state.isWorker = task.isWorker;
  for (const spec of task.modules) {
    if (loaded.has(spec)) continue;
    // everywhere()'s own loader, so the module's exports join this thread's scope the same way.
    const load = functionFromDescriptor(['b', 'loadModule']) as (spec: string) => Promise<unknown>;
    await load(spec);
    loaded.add(spec);
  }
  const body = functionFromDescriptor(task.body) as (i: number, ...args: unknown[]) => unknown;
  return runChunk(body, task.args.map(decodeArg), task.lo, task.hi);
}

port.on('message', (task: ChunkTask) => {
  run(task)
    .catch((err: unknown): ChunkResult => ({ ok: false, error: capture(err) }))
    .then((result) => port.postMessage({ id: task.id, result } satisfies ChunkReply));
});
