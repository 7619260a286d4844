/**
 * A worker's port may be open to a network: nothing a peer sends before it has authenticated may
 * crash the worker, run code, make it hold more than a small budget, or keep a socket for long.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mac, nonce, PROTOCOL_VERSION } from '../../src/cluster/auth.js';
import {
  ACCEPT_DEADLINE_MS,
  MAX_PENDING_HANDSHAKES,
  PREAUTH_BUDGET_BYTES,
  PREAUTH_MAX_FRAME_BYTES,
} from '../../src/cluster/preauth.js';
import { addprocs, clusterCookie, remotecallFetch } from '../../src/index.js';
import { removeAllAndCheck, waitFor, waitUntil } from './leaks.js';
import { bareWorker, frameOf, frameOfValue, RawPeer, workerPort, workerPreauthStats } from './raw-peer.js';

let p = 0;
let port = 0;
beforeAll(async () => {
  [p] = (await addprocs(1)) as [number];
  port = workerPort(p);
});
afterAll(removeAllAndCheck);

/** The worker still serves its master. */
async function expectServing(): Promise<void> {
  expect(await remotecallFetch((x: number) => x + 1, p, 41)).toBe(42);
}

const workerRss = () => remotecallFetch(() => process.memoryUsage().rss, p);

/**
 * An envelope holding a shipped function (the codec's extension type 3), whose decoding by the
 * full codec compiles and evaluates the source: here, a source that marks the process.
 */
function shippedFunctionEnvelope(): Buffer {
  const descriptor = new Packr({ useRecords: false }).pack([
    's',
    'preauth-test',
    '(globalThis.__darrayPreauthRan = true, () => 0)',
    [],
  ]);
  // fixmap of one field, 'k' => fixext1 of type 3, followed by the descriptor.
  return Buffer.concat([Buffer.from([0x81, 0xa1, 0x6b, 0xd4, 3, 0]), descriptor]);
}

describe('messages before authentication', () => {
  it('a nil envelope, or one whose k, v or n is an object, is refused and the worker keeps serving', async () => {
    const nilFrame = frameOf(Buffer.from([0xc0]));
    expect(nilFrame.length).toBe(17);
    const frames = [
      nilFrame,
      frameOfValue({ k: {} }),
      frameOfValue({ k: { toString: 0 } }),
      frameOfValue({ k: 'hello', v: { toString: 0, valueOf: 0 }, n: nonce() }),
      frameOfValue({ k: 'hello', v: PROTOCOL_VERSION, n: { toString: 0 } }),
      frameOfValue({ k: 'hello', v: PROTOCOL_VERSION, n: nonce(), pid: { valueOf: 0 } }),
      frameOfValue([1, 2]),
      frameOfValue('hello'),
    ];
    for (const frame of frames) {
      const peer = await RawPeer.open(port);
      peer.write(frame);
      expect(await peer.closesWithin(2000)).toBe(true);
      expect(peer.messages.map((m) => m.k)).toEqual(['refused']);
      await expectServing();
    }
  });

  it('a shipped function in an envelope is never compiled before authentication', async () => {
    const peer = await RawPeer.open(port);
    peer.write(frameOf(shippedFunctionEnvelope()));
    expect(await peer.closesWithin(2000)).toBe(true);
    const ran = await remotecallFetch(
      () => (globalThis as { __darrayPreauthRan?: boolean }).__darrayPreauthRan === true,
      p,
    );
    expect(ran).toBe(false);
  });

  it('a header claiming 4 GiB is refused at once, without buffering what follows', async () => {
    const before = await workerRss();
    const refusedBefore = (await workerPreauthStats(p)).refused;
    const peer = await RawPeer.open(port);
    const head = Buffer.alloc(4);
    head.writeUInt32LE(0xffff_fff0, 0);
    peer.write(head);
    // Up to 32 MiB follow, as fast as the worker reads them, until it hangs up.
    const mib = Buffer.alloc(1 << 20, 7);
    for (let i = 0; i < 32 && !peer.socket.destroyed; i++) {
      if (!peer.socket.write(mib)) {
        await Promise.race([new Promise((r) => peer.socket.once('drain', r)), peer.closed]);
      }
    }
    expect(await peer.closesWithin(1000)).toBe(true);
    expect(await peer.closed).toBeLessThan(ACCEPT_DEADLINE_MS);
    const stats = await workerPreauthStats(p);
    expect(stats.refused).toBe(refusedBefore + 1);
    expect(stats.peakBytes).toBeLessThanOrEqual(PREAUTH_BUDGET_BYTES + PREAUTH_MAX_FRAME_BYTES);
    expect((await workerRss()) - before).toBeLessThan(16 << 20);
    await expectServing();
  });

  it('a peer that sends more than its byte budget before authenticating is refused', async () => {
    const peer = await RawPeer.open(port);
    // A hello padded to most of the budget is answered; a second message that would take the
    // total past the budget is refused before it is complete.
    const pad = 'x'.repeat(1000);
    const hello = frameOfValue({ k: 'hello', v: PROTOCOL_VERSION, n: nonce(), a: pad, b: pad, c: pad });
    expect(hello.length).toBeLessThanOrEqual(PREAUTH_MAX_FRAME_BYTES);
    peer.write(hello);
    expect((await peer.message(0))?.k).toBe('challenge');
    const rest = PREAUTH_BUDGET_BYTES - hello.length + 1;
    const head = Buffer.alloc(4);
    head.writeUInt32LE(rest + 100, 0);
    peer.write(Buffer.concat([head, Buffer.alloc(rest)]));
    expect(await peer.closesWithin(2000)).toBe(true);
    expect(peer.messages[1]?.why).toMatch(new RegExp(`more than ${PREAUTH_BUDGET_BYTES} bytes`));
  });

  it(`a peer that does not complete the handshake is dropped after ${ACCEPT_DEADLINE_MS / 1000} s`, async () => {
    const peer = await RawPeer.open(port);
    // A valid hello, one byte every 200 ms: within every size limit, but far too slow.
    const hello = frameOfValue({ k: 'hello', v: PROTOCOL_VERSION, n: nonce() });
    let next = 0;
    const drip = setInterval(() => {
      if (next < hello.length) peer.write(hello.subarray(next, ++next));
    }, 200);
    try {
      const closedAfter = await peer.closed;
      expect(closedAfter).toBeGreaterThanOrEqual(ACCEPT_DEADLINE_MS - 100);
      expect(closedAfter).toBeLessThan(ACCEPT_DEADLINE_MS + 2000);
      // Seconds, not the quarter of a minute a stalled peer could once hold a socket for.
      expect(closedAfter).toBeLessThan(8000);
    } finally {
      clearInterval(drip);
    }
    expect(peer.messages[0]?.why).toMatch(/did not complete within/);
  });

  it(`keeps at most ${MAX_PENDING_HANDSHAKES} connections awaiting authentication, and keeps serving`, async () => {
    const extra = 8;
    const peers: RawPeer[] = [];
    try {
      for (let i = 0; i < MAX_PENDING_HANDSHAKES + extra; i++) peers.push(await RawPeer.open(port));
      await waitUntil(
        async () => (await workerPreauthStats(p)).pending === MAX_PENDING_HANDSHAKES,
        5000,
        'the worker to hold the most waiting connections it allows',
      );
      const closed = await Promise.all(peers.map((peer) => peer.closesWithin(500)));
      expect(closed.filter(Boolean).length).toBe(extra);
      await expectServing();
    } finally {
      for (const peer of peers) peer.destroy();
    }
    await waitUntil(
      async () => (await workerPreauthStats(p)).pending === 0,
      5000,
      'the waiting connections to go',
    );
  });
});

describe('the handshake', () => {
  /** Sends a hello and returns the worker's challenge and the nonce we sent. */
  async function hello(peer: RawPeer) {
    const mine = nonce();
    peer.write(frameOfValue({ k: 'hello', v: PROTOCOL_VERSION, n: mine }));
    const challenge = await peer.message(0);
    if (challenge?.k !== 'challenge' || typeof challenge.n !== 'string') {
      throw new Error(`expected a challenge, got ${JSON.stringify(challenge)}`);
    }
    return { mine, theirs: challenge.n, challenge };
  }

  it('refuses an auth message whose MAC is wrong, well formed or not', async () => {
    const cookie = clusterCookie();
    const wrongMacs = [
      // The right form, computed with another cookie.
      (theirs: string, mine: string) => mac(`${cookie}x`, 'connector', theirs, mine),
      // The right cookie, for other nonces (a replayed answer).
      (_theirs: string, mine: string) => mac(cookie, 'connector', nonce(), mine),
      // The worker's own proof sent back to it (a reflection).
      (theirs: string, mine: string) => mac(cookie, 'acceptor', theirs, mine),
      () => 'f'.repeat(64),
      () => '',
      () => 42,
    ];
    for (const wrong of wrongMacs) {
      const peer = await RawPeer.open(port);
      const { mine, theirs } = await hello(peer);
      peer.write(frameOfValue({ k: 'auth', mac: wrong(theirs, mine) }));
      expect(await peer.closesWithin(2000)).toBe(true);
      expect(peer.messages.map((m) => m.k)).toEqual(['challenge', 'refused']);
    }
    await expectServing();
  });

  it('welcomes a peer that proves it knows the cookie, after proving the worker knows it too', async () => {
    const cookie = clusterCookie();
    const peer = await RawPeer.open(port);
    try {
      const { mine, theirs, challenge } = await hello(peer);
      expect(challenge.mac).toBe(mac(cookie, 'acceptor', theirs, mine));
      peer.write(frameOfValue({ k: 'auth', mac: mac(cookie, 'connector', theirs, mine) }));
      expect((await peer.message(1))?.k).toBe('welcome');
      expect(await peer.closesWithin(300)).toBe(false);
    } finally {
      peer.destroy();
    }
  });

  it('logs a refused peer once per address, not once per attempt', async () => {
    const w = await bareWorker('the-right-cookie');
    try {
      for (let i = 0; i < 3; i++) {
        const peer = await RawPeer.open(w.port);
        peer.write(frameOfValue({ k: 'auth', mac: 'f'.repeat(64) }));
        expect(await peer.closesWithin(2000)).toBe(true);
      }
      await waitFor(() => w.stderr.join('').includes('refused connection'), 5000, 'the refusal to be logged');
      await new Promise((r) => setTimeout(r, 200));
      const lines = w.stderr
        .join('')
        .split('\n')
        .filter((l) => l.includes('refused connection'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/from 127\.0\.0\.1: .*later refusals from 127\.0\.0\.1 are not logged/);
    } finally {
      w.child.kill('SIGKILL');
      await w.exited;
    }
  });
});

describe('the cluster cookie', () => {
  it('an empty first line of stdin is the empty cookie (valid, as in Julia): it welcomes that cookie only', async () => {
    const w = await bareWorker('');
    try {
      expect(w.port).toBeGreaterThan(0);
      for (const [cookie, welcomed] of [
        ['x', false],
        ['', true],
      ] as const) {
        const peer = await RawPeer.open(w.port);
        const mine = nonce();
        peer.write(frameOfValue({ k: 'hello', v: PROTOCOL_VERSION, n: mine }));
        const challenge = await peer.message(0);
        const theirs = String(challenge?.n);
        peer.write(frameOfValue({ k: 'auth', mac: mac(cookie, 'connector', theirs, mine) }));
        if (welcomed) {
          expect(challenge?.mac).toBe(mac('', 'acceptor', theirs, mine));
          expect((await peer.message(1))?.k).toBe('welcome');
          peer.destroy();
        } else {
          expect(await peer.closesWithin(2000)).toBe(true);
          expect(peer.messages.map((m) => m.k)).toEqual(['challenge', 'refused']);
        }
      }
    } finally {
      w.child.kill('SIGKILL');
      await w.exited;
    }
  });
});

describe('typed array views at any byte offset', () => {
  it('cross a real remote call both ways with their own bytes', async () => {
    for (const n of [3, 3000]) {
      const backing = new ArrayBuffer(8 * n + 16);
      const bytes = new Uint8Array(backing);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 255;
      const views: ArrayBufferView[] = [
        new Uint8Array(backing, 1, n),
        new Int16Array(backing, 2, n),
        new Uint16Array(backing, 6, n),
        new Float32Array(backing, 4, n),
        new Int32Array(backing, 4, n),
        new Float64Array(backing, 8, n),
        Buffer.from(backing, 3, n),
      ];
      const sumOf = (v: ArrayBufferView) => {
        let s = 0;
        const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        for (let i = 0; i < b.length; i++) s = (s * 31 + (b[i] as number)) % 1_000_003;
        return s;
      };
      const [remoteSums, echoed] = await remotecallFetch(
        (vs: ArrayBufferView[]) => {
          const sums = vs.map((v) => {
            let s = 0;
            const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
            for (let i = 0; i < b.length; i++) s = (s * 31 + (b[i] as number)) % 1_000_003;
            return s;
          });
          return [sums, vs] as const;
        },
        p,
        views,
      );
      expect(remoteSums).toEqual(views.map(sumOf));
      for (const [i, v] of views.entries()) {
        const back = echoed[i] as ArrayBufferView;
        expect(back.constructor).toBe(v.constructor);
        expect(sumOf(back)).toBe(sumOf(v));
        expect(back.byteLength).toBe(v.byteLength);
      }
    }
  });
});

describe('fuzzing the handshake and the frame reader', () => {
  const header = (len: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(len >>> 0, 0);
    return b;
  };
  const validHello = () => frameOfValue({ k: 'hello', v: PROTOCOL_VERSION, n: nonce(), pid: 0 });
  const framed = (value: unknown): Buffer => {
    try {
      return frameOfValue(value);
    } catch {
      return Buffer.from('not encodable');
    }
  };
  const anything = fc.anything({ withNullPrototype: true, withObjectString: true, withTypedArray: true });
  const field = fc.oneof(anything, fc.constant(null), fc.string(), fc.integer());
  const stream: fc.Arbitrary<Buffer> = fc.oneof(
    fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
    // A plausible length and a garbage body, whole or not.
    fc
      .tuple(fc.nat(400), fc.uint8Array({ maxLength: 400 }))
      .map(([len, body]) => Buffer.concat([header(len), body])),
    // A length far beyond the limit, then some bytes.
    fc
      .tuple(
        fc.integer({ min: PREAUTH_MAX_FRAME_BYTES + 1, max: 0xffff_ffff }),
        fc.uint8Array({ maxLength: 5000 }),
      )
      .map(([len, body]) => Buffer.concat([header(len), body])),
    // Any msgpack value as the envelope, and handshake-shaped envelopes with any fields.
    anything.map(framed),
    fc
      .record(
        {
          k: fc.oneof(fc.constantFrom('hello', 'challenge', 'auth', 'welcome', 'refused'), field),
          v: fc.oneof(fc.constant(PROTOCOL_VERSION), field),
          n: fc.oneof(fc.constant(nonce()), field),
          mac: fc.oneof(fc.constant('0'.repeat(64)), field),
          pid: field,
          why: field,
        },
        { requiredKeys: [] },
      )
      .map(framed),
    // A valid hello cut short, or followed by garbage or another hello.
    fc.nat().map((cut) => {
      const h = validHello();
      return h.subarray(0, cut % h.length);
    }),
    fc.uint8Array({ maxLength: 200 }).map((junk) => Buffer.concat([validHello(), Buffer.from(junk)])),
    fc.constant(null).map(() => Buffer.concat([validHello(), validHello()])),
    fc.constant(frameOf(shippedFunctionEnvelope())),
    fc.constant(frameOf(Buffer.from([0xc0]))),
  );
  const run = fc.record({
    bytes: stream,
    // Where the stream is cut into writes, and how long to wait between them (a slow drip).
    cuts: fc.array(fc.nat(600), { maxLength: 6 }),
    dripMs: fc.integer({ min: 0, max: 3 }),
  });

  it('no stream of bytes crashes the worker, runs code, outgrows the budget, or stops it serving', async () => {
    const rssBefore = await workerRss();
    await fc.assert(
      fc.asyncProperty(run, async ({ bytes, cuts, dripMs }) => {
        const peer = await RawPeer.open(port);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const send = async () => {
          let at = 0;
          for (const cut of [...points, bytes.length]) {
            peer.write(bytes.subarray(at, cut));
            at = cut;
            if (dripMs > 0) await new Promise((r) => setTimeout(r, dripMs));
          }
          peer.socket.end();
          return peer.closesWithin(3000);
        };
        // The master's calls go on while the worker reads the stream.
        const [pong, closed] = await Promise.all([remotecallFetch((x: number) => x * 2, p, 21), send()]);
        expect(pong).toBe(42);
        expect(closed).toBe(true);
        expect(peer.messages.every((m) => m.k === 'challenge' || m.k === 'refused')).toBe(true);
      }),
      { numRuns: 150 },
    );
    await expectServing();
    const stats = await workerPreauthStats(p);
    expect(stats.peakBytes).toBeLessThanOrEqual(PREAUTH_BUDGET_BYTES + PREAUTH_MAX_FRAME_BYTES);
    await waitUntil(async () => (await workerPreauthStats(p)).pending === 0, 5000, 'no connection to wait');
    expect((await workerRss()) - rssBefore).toBeLessThan(32 << 20);
    const ran = await remotecallFetch(
      () => (globalThis as { __darrayPreauthRan?: boolean }).__darrayPreauthRan === true,
      p,
    );
    expect(ran).toBe(false);
  });
});
