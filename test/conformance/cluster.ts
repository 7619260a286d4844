/**
 * Shared set-up of the conformance suites (Distributed.jl's own tests, ported): a few workers per
 * file, the leak checks after it, and small probes for what Julia reads from its internals.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import * as api from '../../src/index.js';
import { addprocs, remotecallFetch, remoteRefCount } from '../../src/index.js';
import { removeAllAndCheck } from '../integration/leaks.js';
import { expectRefsBackTo, totalRemoteRefs } from '../integration/refs.js';

/**
 * Starts `n` workers before the file's tests and, after them, checks that every remote value is
 * back to what it was after start-up and that no worker process is left.
 */
export function useWorkers(n: number): { pids: number[]; baseline: number } {
  const w = { pids: [] as number[], baseline: 0 };
  beforeAll(async () => {
    w.pids = await addprocs(n);
    w.baseline = await totalRemoteRefs();
  });
  afterAll(async () => {
    try {
      await expectRefsBackTo(w.baseline);
    } finally {
      // Workers go even when the leak check fails, so that no process outlives the file.
      await removeAllAndCheck();
    }
  });
  return w;
}

/**
 * How many values `pid` holds for remote references: Julia's tests ask `haskey(PGRP.refs, id)`;
 * with one reference under test at a time, the count before and after says the same.
 */
export function held(pid: number): Promise<number> {
  return remotecallFetch(() => remoteRefCount(), pid);
}

/** Polls until `pid` holds `expected` remote values (releases are batched and asynchronous). */
export async function heldBecomes(pid: number, expected: number, ms = 5000): Promise<number> {
  const end = Date.now() + ms;
  let now = await held(pid);
  while (now !== expected && Date.now() < end) {
    await sleep(25);
    now = await held(pid);
  }
  return now;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// biome-ignore lint/suspicious/noExplicitAny: a loosely typed view of API entries not written yet.
type Loose = (...args: any[]) => any;

/**
 * An export of the public API looked up by name at run time, for Julia behaviour whose darray
 * spelling is not exported yet (the test then fails with a clear message instead of not compiling).
 */
export function apiFn(name: string): Loose {
  const f = (api as Record<string, unknown>)[name];
  if (typeof f !== 'function') {
    return () => {
      throw new Error(`darray does not export '${name}' yet`);
    };
  }
  return f as Loose;
}

/** Whether the public API exports `name`. */
export function hasApi(name: string): boolean {
  return typeof (api as Record<string, unknown>)[name] === 'function';
}

/** Julia's `isopen(c)`: a Channel's `isOpen` getter, or a RemoteChannel's `isOpen()` verb. */
export async function isOpen(c: object): Promise<boolean> {
  const v = (c as { isOpen?: unknown }).isOpen;
  if (typeof v === 'function') return (await (v as () => Promise<boolean>).call(c)) as boolean;
  if (typeof v === 'boolean') return v;
  throw new Error(`${String(c)} has no isOpen`);
}

/**
 * Established TCP connections of an OS process (Julia's tests count a worker's open streams to
 * see which connections the topology set up). Read from /proc, so it needs Linux.
 */
export function tcpConnections(osPid: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${osPid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${osPid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${osPid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // Column 4 is the state (01 = established), column 10 the socket's inode.
      if (cols[3] === '01' && cols[9] && inodes.has(cols[9])) n++;
    }
  }
  return n;
}
