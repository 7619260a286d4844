// The DArray chunk store: a peer's request that arrives before the chunk's making command waits for
// it, and a request for a freed chunk fails at once.
import { describe, expect, it } from 'vitest';
import { awaitChunkEntry, freeChunks, putChunk } from '../../darray/store.js';
import { array } from '../../src/array/index.js';

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

  it('a request for a freed chunk fails at once, and so does one waiting when the free comes', async () => {
    putChunk('t.2', [[0, 1]], array([1]));
    freeChunks(['t.2']);
    await expect(awaitChunkEntry('t.2')).rejects.toThrow(/has no chunk .* it was closed/);
    const waiting = awaitChunkEntry('t.3');
    freeChunks(['t.3']);
    await expect(waiting).rejects.toThrow(/has no chunk/);
  });
});
