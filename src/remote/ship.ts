/**
 * Shipping functions between processes. A function crosses the wire as a reference when it is a
 * runtime builtin, a function of the public API, a standard global (`Math.max`, `Number`, …) or an
 * export of a module loaded with everywhere(), and otherwise as its source,
 * checked for captured variables before anything is sent, sent once per peer and compiled once
 * per process (cached by hash).
 */
import { createHash } from 'node:crypto';
import { onProcessGone } from '../cluster/mesh.js';
import { state } from '../cluster/state.js';
import { currentEncodeTarget, onEncoded, registerWireType } from '../cluster/wire/codec.js';
import { setFunctionIds } from '../cluster/wire/compact-body.js';
import { ArgumentError } from '../errors.js';
import { freeVariables, parseFunction } from './free-vars.js';
import { resolveStandardGlobal, standardGlobalPath } from './natives.js';
import {
  apiEpoch,
  apiNameOf,
  loadedModules,
  lookupName,
  moduleRefs,
  resolvable,
  scopeGeneration,
} from './user-scope.js';

interface Shippable {
  hash: string;
  /** An expression that evaluates to the function, given its free names as parameters. */
  expr: string;
  /** Free names other than JS globals: API functions and everywhere() exports. */
  names: string[];
  /** This process's short number for it: once a peer holds the function, calls name it by this. */
  id: number;
}

type Descriptor =
  | ['b', string]
  | ['a', string]
  | ['g', string]
  | ['m', string, string]
  | ['h', string]
  | ['s', string, string, string[]]
  // With the sender's pid and its id for the function, which later calls use (see FunctionIds).
  | ['s', string, string, string[], number, number];

const analysed = new WeakMap<object, Shippable>();
/** This process's ids for the functions it ships, by hash (see Shippable.id). */
const idOfHash = new Map<string, number>();
const builtins = new Map<string, (...args: never[]) => unknown>();
const builtinNames = new WeakMap<object, string>();
/** Hashes each peer has compiled, so later calls send only the hash. */
const sentTo = new Map<number, Set<string>>();
let pendingMarks: [number, string][] = [];
/**
 * Compiled functions by hash, with the scope generation they were bound in. Entries are never
 * dropped, because callers send a hash alone once they know it arrived; when the scope changes
 * (everywhere, clear) an entry is recompiled from its source on next use.
 */
const compiled = new Map<string, CompiledEntry>();
type CompiledEntry = { fn: unknown; gen: number; expr: string; names: string[] };

/** Registers an internal function that every process can call by name. */
export function registerBuiltin<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  builtinEpoch++;
  builtins.set(name, fn);
  builtinNames.set(fn, name);
  return fn;
}

/** Forgets which functions a peer has, e.g. when it leaves the cluster. */
export function forgetPeer(pid: number): void {
  sentTo.delete(pid);
}

// A process that left: forget what was sent to it, and the ids it gave its functions.
onProcessGone((pid) => {
  forgetPeer(pid);
  byId.delete(pid);
});

/**
 * byReference's answers by function, asked for twice per call (the checks, then the encoding).
 * An answer stands while no builtin, module export (scopeGeneration) or API namespace was added.
 */
const refCache = new WeakMap<
  object,
  { builtins: number; gen: number; api: number; ref: Descriptor | undefined }
>();
let builtinEpoch = 0;

/** How a function travels when it is not sent as source: by a name every process resolves alike. */
function byReference(fn: unknown): Descriptor | undefined {
  if ((typeof fn !== 'function' && typeof fn !== 'object') || fn === null) return findReference(fn);
  const hit = refCache.get(fn);
  if (hit && hit.builtins === builtinEpoch && hit.gen === scopeGeneration && hit.api === apiEpoch)
    return hit.ref;
  const ref = findReference(fn);
  refCache.set(fn, { builtins: builtinEpoch, gen: scopeGeneration, api: apiEpoch, ref });
  return ref;
}

function findReference(fn: unknown): Descriptor | undefined {
  const b = builtinNames.get(fn as object);
  if (b) return ['b', b];
  const ref = moduleRefs.get(fn as object);
  if (ref) return ['m', ref.spec, ref.name];
  const a = apiNameOf(fn);
  if (a) return ['a', a];
  const g = standardGlobalPath(fn);
  if (g) return ['g', g];
  return undefined;
}

/** Functions that passed checkCallable: a function is checked once, not on every call. */
const callable = new WeakSet<object>();

/**
 * Refuses what cannot be called as a function on any process: a class (it needs `new`). Checked
 * for every call, local ones included, so that the error does not depend on where the call runs.
 */
export function checkCallable(fn: (...args: never[]) => unknown, context: string): void {
  if (callable.has(fn)) return;
  let src = '';
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    return;
  }
  if (/^class\b/.test(src)) {
    const name = fn.name || 'anonymous';
    throw new ArgumentError(
      `${context}: expected a function, got the class ${name}, which cannot be called without new; ` +
        `pass a function that makes the instance instead, e.g. (...args) => new ${name}(...args) ` +
        `(with ${name} defined on every process by everywhere())`,
    );
  }
  callable.add(fn);
}

/**
 * The function as a worker would see it, for running a call on this process: bound to the same
 * scope (the API, everywhere() exports) rather than to the closure it was written in. A function
 * that captures variables of its closure cannot be shipped at all; it runs here as written.
 */
export function asShipped<F extends (...args: never[]) => unknown>(fn: F): F {
  const ref = byReference(fn);
  if (ref) return ref[0] === 'g' ? (resolveStandardGlobal(ref[1]) as unknown as F) : fn;
  let s: Shippable | undefined;
  try {
    s = analyse(fn);
  } catch {
    return fn;
  }
  return s ? (compile(s.hash, s.expr, s.names) as F) : fn;
}

/**
 * Checks that `fn` can be shipped and returns its source form. Throws an ArgumentError that names
 * any variable it captures from its enclosing scope.
 */
export function analyse(fn: (...args: never[]) => unknown, context = 'the function'): Shippable | undefined {
  if (byReference(fn)) return undefined;
  return analyseSource(fn, context);
}

/**
 * Analyses by source text, for a closure made anew on every call (`remotecallFetch(() => …, p)` in
 * a loop): parsing its source again cost about as much as the round trip itself. The answer holds
 * while the names a source may use stay the same (scopeGeneration, apiEpoch).
 */
const bySource = new Map<string, { gen: number; api: number; shippable: Shippable }>();
/** Sources kept in bySource; the oldest is dropped beyond it (code made with new Function can vary). */
const MAX_SOURCES = 4096;
/** Sources parsed so far (a closure whose source was analysed before is not counted again). */
export let sourcesParsed = 0;

/** analyse() for a function already known not to travel by reference. */
function analyseSource(fn: (...args: never[]) => unknown, context = 'the function'): Shippable {
  const cached = analysed.get(fn);
  if (cached) return cached;
  checkCallable(fn, context);
  const src = undoBundlerRewrites(Function.prototype.toString.call(fn));
  const known = bySource.get(src);
  if (known && known.gen === scopeGeneration && known.api === apiEpoch) {
    analysed.set(fn, known.shippable);
    return known.shippable;
  }
  if (/\{\s*\[native code\]\s*\}$/.test(src)) {
    const bound = fn.name.startsWith('bound ');
    throw new ArgumentError(
      `${context} (${fn.name || 'anonymous'}) is ${bound ? 'a bound function' : 'native'} and has no source to send. ` +
        'Native functions are sent by name only when they are standard globals (parseInt, Number, Math.max, ' +
        'JSON.stringify, Object.keys, …) or functions of the darray API; wrap any other in an arrow function, ' +
        'e.g. (...args) => obj.method(...args), or export it from a module loaded with everywhere()',
    );
  }
  let node: ReturnType<typeof parseFunction>;
  sourcesParsed++;
  try {
    node = parseFunction(src);
  } catch (err) {
    throw new ArgumentError(`${context} cannot be sent: ${(err as Error).message}`);
  }
  const names: string[] = [];
  for (const [name, offset] of freeVariables(node)) {
    const where = resolvable(name);
    if (where === 'global') continue;
    if (where === undefined) {
      throw new ArgumentError(
        `${context} uses '${name}' from its enclosing scope (at offset ${offset} of its source), ` +
          `which other processes cannot see. Pass it as an argument instead, e.g. ` +
          `remotecall((${name}) => …, pid, ${name}), or define it on every process with everywhere()`,
      );
    }
    names.push(name);
  }
  const isMethod =
    node.type === 'FunctionExpression' &&
    !src.trimStart().startsWith('function') &&
    !src.trimStart().startsWith('async function');
  const expr = isMethod ? `Object.values({${src}})[0]` : `(${src})`;
  const hash = createHash('sha1').update(expr).update('\0').update(names.join(',')).digest('base64');
  // One id per hash: two function objects with the same source are one function to a peer.
  let id = idOfHash.get(hash);
  if (id === undefined) idOfHash.set(hash, (id = idOfHash.size));
  const shippable = { id, hash, expr, names };
  analysed.set(fn, shippable);
  bySource.delete(src);
  bySource.set(src, { gen: scopeGeneration, api: apiEpoch, shippable });
  if (bySource.size > MAX_SOURCES) bySource.delete(bySource.keys().next().value as string);
  return shippable;
}

/**
 * Vite/Vitest rewrite `myid()` in a module that imports it to `__vite_ssr_import_0__.myid()`;
 * undo that so that functions written in such modules ship the names their author wrote.
 */
function undoBundlerRewrites(src: string): string {
  if (!src.includes('__vite_ssr_')) return src;
  return src
    .replace(/__vite_ssr_import_\d+__\.([A-Za-z_$][\w$]*)/g, '$1')
    .replace(/__vite_ssr_dynamic_import__\(/g, 'import(');
}

function describeForWire(fn: (...args: never[]) => unknown): Descriptor {
  const ref = byReference(fn);
  if (ref) return ref;
  const s = analyseSource(fn);
  const target = currentEncodeTarget();
  if (target > 0) {
    if (sentTo.get(target)?.has(s.hash)) return ['h', s.hash];
    pendingMarks.push([target, s.hash]);
    if (state.myid > 0) return ['s', s.hash, s.expr, s.names, state.myid, s.id];
  }
  return ['s', s.hash, s.expr, s.names];
}

/** How a function travels between threads of one process (threadsFor): a reference or its source. */
export type FunctionDescriptor = Descriptor;

/**
 * A function's travel form for another thread of this process: by reference as on the wire, and
 * otherwise its checked source (so a captured local is refused with the same error as a remote call).
 */
export function functionDescriptor(fn: (...args: never[]) => unknown, context: string): FunctionDescriptor {
  const ref = byReference(fn);
  if (ref) return ref;
  const s = analyse(fn, context) as Shippable;
  return ['s', s.hash, s.expr, s.names];
}

/** The function a descriptor names, on this thread: compiled once per hash against this thread's scope. */
export function functionFromDescriptor(d: FunctionDescriptor): unknown {
  return fromWire(d);
}

function compile(hash: string, expr: string, names: string[]): unknown {
  const hit = compiled.get(hash);
  if (hit && hit.gen === scopeGeneration) return hit.fn;
  const values = names.map((n) => {
    const r = lookupName(n);
    if (!r.found) {
      throw new ReferenceError(
        `'${n}' is not defined on this process; load the module that exports it with everywhere() first`,
      );
    }
    return r.value;
  });
  const fn = new Function(...names, `"use strict"; return ${expr};`)(...values) as unknown;
  compiled.set(hash, { fn, gen: scopeGeneration, expr, names });
  return fn;
}

function fromWire(d: Descriptor): unknown {
  switch (d[0]) {
    case 'b': {
      const fn = builtins.get(d[1]);
      if (!fn) throw new ReferenceError(`unknown runtime builtin '${d[1]}' (mismatched darray versions?)`);
      return fn;
    }
    case 'a': {
      const r = lookupName(d[1]);
      if (!r.found || typeof r.value !== 'function')
        throw new ReferenceError(
          `the darray API has no function '${d[1]}' here (mismatched darray versions?)`,
        );
      return r.value;
    }
    case 'g':
      return resolveStandardGlobal(d[1]);
    case 'm': {
      const [, spec, name] = d;
      const mod = loadedModules.get(spec);
      if (mod) return mod[name];
      return async (...args: unknown[]) => {
        const m = (await import(spec)) as Record<string, unknown>;
        const f = m[name];
        if (typeof f !== 'function') throw new TypeError(`module ${spec} has no exported function '${name}'`);
        return f(...args);
      };
    }
    case 'h': {
      const hit = compiled.get(d[1]);
      if (!hit)
        throw new ReferenceError('a shipped function was referenced by hash before its source arrived');
      return hit.gen === scopeGeneration ? hit.fn : compile(d[1], hit.expr, hit.names);
    }
    case 's': {
      const fn = compile(d[1], d[2], d[3]);
      if (d.length === 6) remember(d[4], d[5], d[1]);
      return fn;
    }
  }
}

/** The functions other processes have sent here with their ids: owner pid → id → compiled entry. */
const byId = new Map<number, Map<number, { hash: string; entry: CompiledEntry }>>();

function remember(owner: number, id: number, hash: string): void {
  const entry = compiled.get(hash);
  if (!entry || !Number.isInteger(owner) || !Number.isInteger(id)) return;
  let ids = byId.get(owner);
  if (!ids) byId.set(owner, (ids = new Map()));
  ids.set(id, { hash, entry });
}

// The compact body form (see compact-body.ts) names a function the peer holds by its id.
setFunctionIds({
  encode(fn, target) {
    if (byReference(fn)) return -1;
    const s = analysed.get(fn);
    return s && state.myid > 0 && sentTo.get(target)?.has(s.hash) ? s.id : -1;
  },
  owner: () => state.myid,
  decode(owner, id) {
    const known = byId.get(owner)?.get(id);
    if (!known) {
      throw new ReferenceError(
        `process ${owner} referred to its shipped function #${id} before sending its source here`,
      );
    }
    if (known.entry.gen === scopeGeneration) return known.entry.fn;
    // The scope changed (everywhere, clear): bound again, as a call by hash would be.
    const fn = compile(known.hash, known.entry.expr, known.entry.names);
    known.entry = compiled.get(known.hash) as CompiledEntry;
    return fn;
  },
});

// Marks are committed only once the whole body encoded, so a failed send never leaves a peer
// believed to hold a function it never received.
onEncoded((ok) => {
  if (pendingMarks.length === 0) return;
  if (ok) {
    for (const [pid, hash] of pendingMarks) {
      let set = sentTo.get(pid);
      if (!set) sentTo.set(pid, (set = new Set()));
      set.add(hash);
    }
  }
  pendingMarks = [];
});

// AsyncFunction and generator functions are instances of Function, so one registration covers them.
registerWireType(
  3,
  Function as unknown as abstract new () => (...args: never[]) => unknown,
  describeForWire,
  fromWire as (d: never) => (...args: never[]) => unknown,
);
