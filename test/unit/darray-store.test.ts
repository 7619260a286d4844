// The DArray chunk store: a peer's request that arrives before the chunk's making command waits for
// it; a freed chunk stays for the commands that arrived before the free,
// and a later request for it fails.
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
import { awaitChunkEntry, freeChunks, localChunkCount, putChunk } from '../../darray/store.js';
import { array, type NDArray } from '../../src/array/index.js';

describe('DArray chunk store', () => {
  it('a request that arrives before the chunk waits for it', async () => {
    let settled = false;
    const pending = awaitChunkEntry('t.1').then((e) => {
      settled = true;
      return e;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    putChunk('t.1', [[0, 2]], array([1, 2]));
    const entry = await pending;
    expect(entry.box).toEqual([[0, 2]]);
    expect((await entry.array).shape).toEqual([2]);
    freeChunks(['t.1']);
  });

  it('a request for a freed chunk fails once the operations running at the free are done', async () => {
    putChunk('t.2', [[0, 1]], array([1]));
    freeChunks(['t.2']);
    await new Promise((r) => setImmediate(r));
    await expect(awaitChunkEntry('t.2')).rejects.toThrow(/has no chunk .* it was closed/);
    const waiting = awaitChunkEntry('t.3');
    freeChunks(['t.3']);
    await expect(waiting).rejects.toThrow(/has no chunk/);
  });

  it('a command that arrived before the free still reads the chunk, and the free follows it', async () => {
    putChunk('t.4', [[0, 2]], array([3, 4]));
    let release = (): void => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // An operation that looks its input up only after an await, as the matvec command does.
    putChunk(
      't.5',
      [[0, 2]],
      gate.then(async () => (await awaitChunkEntry('t.4')).array),
    );
    freeChunks(['t.4']);
    expect(localChunkCount()).toBe(1);
    release();
    const got = (await (await awaitChunkEntry('t.5')).array) as NDArray;
    expect(Array.from(got.data)).toEqual([3, 4]);
    await new Promise((r) => setImmediate(r));
    await expect(awaitChunkEntry('t.4')).rejects.toThrow(/it was closed/);
    freeChunks(['t.5']);
    await new Promise((r) => setImmediate(r));
    expect(localChunkCount()).toBe(0);
  });
});
