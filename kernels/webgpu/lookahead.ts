/**
 * Lookahead for a user's loop that waits on a norm (or another reduction to a number, such as a
 * sum), as the manual's power method does:
 *
 *     y = await mul(M, v); s = await norm(y); v = await broadcast((a, b) => a / b, y, s)
 *
 * Each `await norm(y)` is a read-back, and the next product can only be recorded once it is back,
 * so the GPU idles for the read-back and for the launches after it. The lookahead learns the steps
 * that follow a reduction and end in the same reduction of their last result (a trace), and once a
 * trace has been seen, it records that trace again at the next such reduction, reading its value
 * from the device (a one-element array) instead of waiting for it. When the caller then makes the
 * same calls, with the same arrays and the value it was given, it gets the arrays already made.
 *
 * The results are the ones the calls would make: a step is only handed out if the call names the
 * same op, lambda, shapes, arrays and numbers (the value as the same float32), and no command other
 * than the lookahead's own reached the GPU since the reduction, so nothing the steps read has changed
 * since they ran. Otherwise the made arrays are freed and the call runs as usual. Made arrays not
 * asked for by the time the caller's code yields to the event loop are freed too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate } from 'node:timers';
import { GPUArray } from '../../gpu/array.js';
import { planReduce } from '../../src/array/ir/reduce-plan.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { AnyArray, Operand, OutSpec, Reducer } from '../../src/array/protocol.js';
import { sameShape } from '../../src/array/shape.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';
import { broadcastWebGPU } from './broadcast.js';
import { mapreduceWebGPU, monoidOnDevice } from './mapreduce.js';
import { mulWebGPU } from './mul.js';
import { isOnePassNorm, normOnDevice, normWebGPU } from './norm.js';
import { onDevice } from './operands.js';

/** Steps after a reduction at most: longer loop bodies are not looked ahead. */
const MAX_STEPS = 4;
/**
 * Most strikes counted. After k lookaheads in a row of which no step was used, a trace must be
 * seen k + 1 times in a row before the next one, so a loop that keeps changing costs little.
 */
const MAX_STRIKES = 8;

/** An argument of a step, as the trace knows it. */
type Arg =
  | { readonly kind: 'reduced' }
  | { readonly kind: 'value' }
  | { readonly kind: 'step'; readonly index: number }
  | { readonly kind: 'array'; readonly array: WeakRef<GPUArray> }
  | { readonly kind: 'number'; readonly value: number };

/** One call after a reduction: broadcast(lambda, ...args) or mul(args[0], args[1]). */
interface Step {
  readonly op: 'broadcast' | 'mul';
  readonly lambda: Lambda | undefined;
  readonly args: readonly Arg[];
  readonly shape: readonly number[];
}

/** A reduction to a number, as the lookahead tells them apart: e.g. 'norm 2', or 'mapreduce sum' and its map. */
export interface ReduceKey {
  readonly name: string;
  readonly map: Lambda | null;
}

const sameKey = (a: ReduceKey, b: ReduceKey): boolean => a.name === b.name && a.map === b.map;

/** The calls between a reduction and the next one of the same kind, as last seen. */
interface Trace {
  readonly key: ReduceKey;
  readonly steps: readonly Step[];
}

/** The calls since a reduction, while they are being learnt. */
interface Recording {
  readonly key: ReduceKey;
  readonly reduced: WeakRef<GPUArray>;
  /** The value handed to the caller, once it is back. */
  value: number | undefined;
  readonly steps: Step[];
  readonly results: WeakRef<GPUArray>[];
  /** The batch's foreign count after the last call: anything else in between ends the recording. */
  mark: number;
}

/** A trace recorded ahead of the caller, its arrays waiting to be asked for. */
interface Ahead {
  readonly trace: Trace;
  readonly reduced: WeakRef<GPUArray>;
  value: number | undefined;
  /** The arrays made, each until it is handed out or freed. */
  readonly made: (GPUArray | undefined)[];
  /** Handed out so far, in order (the last is the next reduction's array when the loop goes round). */
  readonly handed: WeakRef<GPUArray>[];
  /** Settles once every step is recorded (or recording failed). */
  done: Promise<void>;
  ready: boolean;
  dead: boolean;
  /** The batch's foreign count after the reduction: the steps are valid while it has not moved. */
  readonly mark: number;
}

/** A call as the lookahead compares it with a step. */
interface Call {
  readonly op: 'broadcast' | 'mul';
  readonly lambda: Lambda | undefined;
  readonly args: readonly Operand[];
  readonly out: OutSpec;
}

/** What the lookahead has done, for tests and benchmarks. */
export interface LookaheadStats {
  /** Traces recorded ahead. */
  ahead: number;
  /** Arrays made ahead and handed to a call. */
  claimed: number;
  /** Arrays made ahead and freed unused. */
  wasted: number;
}

/** The lookahead of one WebGPU backend (one each, from lookaheadOf), used by the kernels below. */
export class Lookahead {
  /** Off with DARRAY_GPU_LOOKAHEAD=0, or by setting this. */
  enabled = process.env.DARRAY_GPU_LOOKAHEAD !== '0';
  readonly stats: LookaheadStats = { ahead: 0, claimed: 0, wasted: 0 };
  private trace: Trace | undefined;
  /** Times in a row `trace` was seen. */
  private seen = 0;
  private strikes = 0;
  private recording: Recording | undefined;
  private ahead: Ahead | undefined;
  private readonly own = new AsyncLocalStorage<true>();

  constructor(
    /** The backend whose commands it records ahead. */
    readonly b: WebGPUBackend,
  ) {
    b.batch.own = () => this.own.getStore() === true;
  }

  /**
   * The reduction `key` of x through `onDevice` (which hands over the device value once the
   * read-back is requested): learns whether x ends a trace, and records that trace ahead when it
   * has been seen.
   */
  async reduce(
    x: GPUArray,
    key: ReduceKey,
    onDevice: (submitted: (value: WebGPUStorage) => boolean) => Promise<number>,
  ): Promise<number> {
    const foreign = this.b.batch.foreign;
    const prev = this.ahead;
    const rec = this.recording;
    this.recording = undefined;
    let goesRound = false;
    if (
      prev &&
      sameKey(prev.trace.key, key) &&
      prev.handed.length === prev.trace.steps.length &&
      prev.mark === foreign &&
      prev.handed.at(-1)?.deref() === x
    ) {
      goesRound = true;
      this.ahead = undefined;
    } else {
      if (prev) this.drop(prev);
      const closes =
        rec &&
        sameKey(rec.key, key) &&
        rec.steps.length > 0 &&
        rec.mark === foreign &&
        rec.results.at(-1)?.deref() === x;
      if (closes) {
        const t: Trace = { key, steps: rec.steps };
        if (this.trace && sameTrace(this.trace, t)) this.seen++;
        else {
          this.trace = t;
          this.seen = 1;
        }
      } else this.forget();
    }
    const trace = this.trace;
    // Only steps that wait for the value gain from starting before it arrives.
    const waits = trace?.steps.some((s) => s.args.some((a) => a.kind === 'value')) === true;
    const go = this.enabled && waits && (goesRound || this.seen >= 1 + this.strikes);
    let ahead: Ahead | undefined;
    let fresh: Recording | undefined;
    let value: number;
    try {
      value = await onDevice((device) => {
        const mark = this.b.batch.foreign;
        if (go && trace) {
          ahead = this.start(trace, x, device, mark);
          return true;
        }
        fresh = { key, reduced: new WeakRef(x), value: undefined, steps: [], results: [], mark };
        this.recording = fresh;
        return false;
      });
    } catch (e) {
      if (ahead) this.drop(ahead);
      this.forget();
      throw e;
    }
    if (ahead) {
      ahead.value = value;
      this.expire(ahead);
    }
    if (fresh) fresh.value = value;
    return value;
  }

  /**
   * The array made ahead for this call, if it is the next step and nothing has changed since; or
   * undefined after noting the call (it runs as usual, through `run`).
   */
  async call(c: Call, run: () => Promise<GPUArray>): Promise<GPUArray> {
    const a = this.ahead;
    if (a) {
      if (!a.ready && !a.dead) await a.done;
      const got = this.claim(a, c);
      if (got) return got;
      this.drop(a);
      this.forget();
    }
    const rec = this.recording;
    const step = rec && rec.mark === this.b.batch.foreign ? this.learn(rec, c) : undefined;
    if (!step) this.recording = undefined;
    const y = await run();
    if (rec && step && this.recording === rec) {
      rec.steps.push(step);
      rec.results.push(new WeakRef(y));
      rec.mark = this.b.batch.foreign;
    }
    return y;
  }

  /** Frees what is made ahead and forgets every trace and strike, as a new backend would start. */
  reset(): void {
    if (this.ahead) this.drop(this.ahead);
    this.forget();
    this.strikes = 0;
  }

  /** Forgets the trace and what is being learnt (a call that is not part of a loop seen before). */
  private forget(): void {
    this.trace = undefined;
    this.seen = 0;
    this.recording = undefined;
  }

  /** The step `c` would be in the recording `rec`, or undefined if the trace cannot hold it. */
  private learn(rec: Recording, c: Call): Step | undefined {
    if (rec.steps.length >= MAX_STEPS || c.out.into || c.out.alpha !== undefined) return undefined;
    const args: Arg[] = [];
    for (const a of c.args) {
      if (typeof a === 'number') {
        if (rec.value !== undefined && Object.is(Math.fround(a), rec.value)) args.push({ kind: 'value' });
        else args.push({ kind: 'number', value: Math.fround(a) });
        continue;
      }
      if (!(a instanceof GPUArray) || a.impl !== this.b) return undefined;
      if (a === rec.reduced.deref()) {
        args.push({ kind: 'reduced' });
        continue;
      }
      const index = rec.results.findIndex((r) => r.deref() === a);
      args.push(index >= 0 ? { kind: 'step', index } : { kind: 'array', array: new WeakRef(a) });
    }
    return { op: c.op, lambda: c.lambda, args, shape: [...c.out.shape] };
  }

  /** Records `trace` with x and the value on the device (`device`, one f32, now the lookahead's). */
  private start(trace: Trace, x: GPUArray, device: WebGPUStorage, mark: number): Ahead {
    const a: Ahead = {
      trace,
      reduced: new WeakRef(x),
      value: undefined,
      made: [],
      handed: [],
      done: Promise.resolve(),
      ready: false,
      dead: false,
      mark,
    };
    this.ahead = a;
    this.stats.ahead++;
    const value = new GPUArray(this.b, device, [1]);
    a.done = this.own.run(true, async () => {
      try {
        for (const step of trace.steps) {
          const args = step.args.map((g): Operand => {
            if (g.kind === 'reduced') return x;
            if (g.kind === 'value') return value;
            if (g.kind === 'number') return g.value;
            const arr = g.kind === 'step' ? a.made[g.index] : g.array.deref();
            if (!arr) throw new Error('gone');
            return arr;
          });
          const made = await runStep(step, args);
          if (a.dead) {
            made.dispose();
            this.stats.wasted++;
            return;
          }
          a.made.push(made);
        }
        a.ready = true;
      } catch {
        // The caller's own call will run the step and meet the error, if it is one.
        this.drop(a);
      } finally {
        value.dispose();
      }
    });
    return a;
  }

  /** Frees what is made ahead and not handed out, once the caller's code yields without asking. */
  private expire(a: Ahead): void {
    // Recording may still wait for a kernel's first compile; the time to ask starts after it.
    if (!a.ready && !a.dead) {
      void a.done.then(() => this.expire(a));
      return;
    }
    setImmediate(() => {
      if (this.ahead === a && a.handed.length < a.trace.steps.length) {
        this.drop(a);
        this.forget();
      }
    });
  }

  /** The next made array if `c` is the next step and nothing else has run since the reduction. */
  private claim(a: Ahead, c: Call): GPUArray | undefined {
    const i = a.handed.length;
    const step = a.trace.steps[i];
    const made = a.made[i];
    if (!step || !made || made.disposed || !a.ready || a.dead || a.value === undefined) return undefined;
    if (this.b.batch.foreign !== a.mark || !matches(step, c, a, a.value)) return undefined;
    a.made[i] = undefined;
    a.handed.push(new WeakRef(made));
    this.stats.claimed++;
    if (a.handed.length === a.trace.steps.length) this.strikes = 0;
    return made;
  }

  /** Frees what `a` made and nobody was handed; a lookahead no step of which was used is a strike. */
  private drop(a: Ahead): void {
    if (this.ahead === a) this.ahead = undefined;
    if (a.dead) return;
    a.dead = true;
    for (const m of a.made)
      if (m) {
        m.dispose();
        this.stats.wasted++;
      }
    if (a.handed.length === 0) this.strikes = Math.min(MAX_STRIKES, this.strikes + 1);
  }
}

/** Runs one step of a trace with the lookahead's arguments. */
function runStep(step: Step, args: Operand[]): Promise<GPUArray> {
  const out = { shape: step.shape, dtype: 'float32' as const };
  if (step.op === 'mul') return mulWebGPU(args[0] as AnyArray, args[1] as AnyArray, out);
  return broadcastWebGPU(step.lambda as Lambda, args, out);
}

/** Whether call `c` is `step` of the lookahead `a`, with `value` the reduction's value handed out. */
function matches(step: Step, c: Call, a: Ahead, value: number): boolean {
  if (step.op !== c.op || step.lambda !== c.lambda || step.args.length !== c.args.length) return false;
  // A disposed argument is the call's error to raise, as it would without the lookahead.
  if (c.args.some((x) => x instanceof GPUArray && x.disposed)) return false;
  if (c.out.into || c.out.alpha !== undefined || !sameShape(step.shape, c.out.shape)) return false;
  return step.args.every((g, i) => {
    const x = c.args[i];
    switch (g.kind) {
      case 'value':
        return typeof x === 'number' && Object.is(Math.fround(x), value);
      case 'number':
        return typeof x === 'number' && Object.is(Math.fround(x), g.value);
      case 'reduced':
        return x === a.reduced.deref();
      case 'step':
        return x !== undefined && x === a.handed[g.index]?.deref();
      case 'array':
        return x === g.array.deref();
    }
    return false;
  });
}

/** Whether two traces have the same steps: ops, lambdas, shapes and arguments. */
function sameTrace(p: Trace, q: Trace): boolean {
  if (!sameKey(p.key, q.key) || p.steps.length !== q.steps.length) return false;
  return p.steps.every((s, i) => {
    const t = q.steps[i] as Step;
    if (s.op !== t.op || s.lambda !== t.lambda || !sameShape(s.shape, t.shape)) return false;
    if (s.args.length !== t.args.length) return false;
    return s.args.every((g, j) => {
      const h = t.args[j] as Arg;
      if (g.kind !== h.kind) return false;
      if (g.kind === 'step') return g.index === (h as typeof g).index;
      if (g.kind === 'number') return Object.is(g.value, (h as typeof g).value);
      if (g.kind === 'array') return g.array.deref() === (h as typeof g).array.deref();
      return true;
    });
  });
}

const lookaheads = new WeakMap<WebGPUBackend, Lookahead>();

/** The lookahead of backend `b`, made on first use. */
export function lookaheadOf(b: WebGPUBackend): Lookahead {
  let l = lookaheads.get(b);
  if (!l) lookaheads.set(b, (l = new Lookahead(b)));
  return l;
}

/** The lookahead of the webgpu backend of the first GPUArray on it among `xs`, if it is on. */
function aheadOf(xs: readonly unknown[]): Lookahead | undefined {
  const x = xs.find((a): a is GPUArray => a instanceof GPUArray && a.backend === 'webgpu');
  const la = x && lookaheadOf(x.impl as WebGPUBackend);
  return la?.enabled ? la : undefined;
}

/** The WebGPU kernel of `norm`, the lookahead in front of a one-pass norm of a GPUArray. */
export function normAhead(x: AnyArray, p: number): Promise<number> {
  const la = aheadOf([x]);
  if (!la || !isOnePassNorm(p) || (x as GPUArray).size === 0) return normWebGPU(x, p);
  const dx = onDevice(la.b, x, 'norm');
  const key = { name: `norm ${p}`, map: null };
  return la.reduce(x as GPUArray, key, (submitted) => normOnDevice(la.b, dx, p, submitted));
}

/** The WebGPU kernel of `broadcast`, the lookahead in front. */
export function broadcastAhead(lambda: Lambda, args: readonly Operand[], out: OutSpec): Promise<GPUArray> {
  const run = () => broadcastWebGPU(lambda, args, out);
  return aheadOf(args)?.call({ op: 'broadcast', lambda, args, out }, run) ?? run();
}

/** The WebGPU kernel of `mul`, the lookahead in front. */
export function mulAhead(a: AnyArray, x: AnyArray, out: OutSpec): Promise<GPUArray> {
  const run = () => mulWebGPU(a, x, out);
  return aheadOf([a, x])?.call({ op: 'mul', lambda: undefined, args: [a, x], out }, run) ?? run();
}

/** The WebGPU kernel of `mapreduce`, the lookahead in front of a tree reduction (no init) of a GPUArray. */
export function mapreduceAhead(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  init: number | undefined,
): Promise<number> {
  const la = aheadOf([x]);
  const plan =
    la && init === undefined && (x as GPUArray).size > 0 ? planReduce(map, reducer, init) : undefined;
  if (!la || !plan?.monoid) return mapreduceWebGPU(map, reducer, x, init);
  const dx = onDevice(la.b, x, 'mapreduce');
  const key = { name: `mapreduce ${plan.monoid.op}`, map };
  return la.reduce(x as GPUArray, key, (submitted) => monoidOnDevice(la.b, plan, dx, submitted));
}
