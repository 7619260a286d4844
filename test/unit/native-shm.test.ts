// The committed addon binary must be built from the committed source, and do what shm.c says.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNative, madviseHugepage, shmAddon } from '../../src/native/load.js';
import { splitRange } from '../../src/shared/split.js';

// The WebAssembly global is not in the project's lib (no DOM lib, and @types/node lacks it).
const Wasm = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };
  }
).WebAssembly;
const root = new URL('../../', import.meta.url).pathname;

describe('native addon', () => {
  it('each prebuilt binary records the sha256 of the source it was built from, and it matches', () => {
    const sources = readdirSync(`${root}native`).filter((f) => f.endsWith('.c'));
    expect(sources).toContain('shm.c');
    for (const src of sources) {
      const name = src.slice(0, -2);
      const bin = `${root}native/prebuilds/linux-x64/${name}.node`;
      expect(existsSync(bin), `${bin} is missing: run node scripts/build-native.mjs`).toBe(true);
      const recorded = readFileSync(`${bin}.sha256`, 'utf8').split(/\s+/)[0];
      const actual = createHash('sha256')
        .update(readFileSync(`${root}native/${src}`))
        .digest('hex');
      expect(
        recorded,
        `native/${src} changed since its binary was built: run node scripts/build-native.mjs`,
      ).toBe(actual);
    }
  });

  it('maps one file twice: a write through one mapping is read through the other; detach empties it', () => {
    const shm = shmAddon();
    const name = `darray-shm-${process.pid}-unit-${Date.now()}`;
    const a = shm.create(name, 64);
    try {
      const b = shm.open(name, 64);
      new Float64Array(a)[3] = 2.5;
      expect(new Float64Array(b)[3]).toBe(2.5);
      expect(() => shm.create(name, 64)).toThrow(/EEXIST|exists/);
      expect(() => shm.open(name, 128)).toThrow(/too small/);
      expect(shm.detach(a)).toBe(true);
      expect(a.byteLength).toBe(0);
      expect(shm.detach(a)).toBe(false);
    } finally {
      expect(shm.unlink(name)).toBe(true);
    }
    expect(shm.unlink(name)).toBe(false);
    expect(() => shm.open(name, 8)).toThrow(/ENOENT|No such file/);
    expect(() => shm.create('a/b', 8)).toThrow(/without '\/'/);
  });

  it('madviseHugepage takes ArrayBuffer, SharedArrayBuffer and WebAssembly.Memory buffers', () => {
    const big = 8 << 20;
    for (const buf of [
      new ArrayBuffer(big),
      new SharedArrayBuffer(big),
      new Wasm.Memory({ initial: 128 }).buffer,
    ])
      expect(typeof madviseHugepage(buf)).toBe('boolean');
    // A buffer smaller than a page holds no whole page to advise.
    expect(madviseHugepage(new ArrayBuffer(16))).toBe(false);
  });

  it('a missing addon is a clear error naming the file and the feature, not a crash', () => {
    expect(() => loadNative('no-such-addon', 'Frobnication')).toThrow(
      /Frobnication is unavailable on linux-x64: .*native\/prebuilds\/linux-x64\/no-such-addon\.node/,
    );
  });
});

describe('splitRange (localindices) shares indices as Julia does', () => {
  it('equal parts, the last one taking the remainder; fewer items than parts: one each', () => {
    expect([0, 1, 2].map((i) => splitRange(10, 3, i))).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect([0, 1, 2].map((i) => splitRange(2, 3, i))).toEqual([
      [0, 1],
      [1, 2],
      [2, 2],
    ]);
    expect(splitRange(12, 2, 1)).toEqual([6, 12]);
  });
});
