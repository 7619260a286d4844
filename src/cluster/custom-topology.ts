/**
 * topology: 'custom' (Julia's :custom): the manager names each worker with `WorkerConfig.ident` and
 * lists in `connectIdents` the idents it must connect to. Two workers are linked when either one's
 * connectIdents names the other; only linked workers may call each other (the master reaches all).
 * Idents never leave the master: it checks them here and tells each worker the pids it is linked to.
 */
import { ArgumentError, describe } from '../errors.js';
import type { WorkerConfig } from './manager.js';
import { state } from './state.js';

/** A key under which equal idents (1 and 1, ['a', 2] and ['a', 2]) meet, and 1 and '1' do not. */
function identKey(ident: unknown): string | undefined {
  switch (typeof ident) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof ident}:${String(ident)}`;
    case 'object': {
      if (ident === null) return undefined;
      const proto = Object.getPrototypeOf(ident);
      if (!Array.isArray(ident) && proto !== Object.prototype && proto !== null) return undefined;
      try {
        return `json:${JSON.stringify(ident)}`;
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

/** An ident as a user would write it, for messages. */
function showIdent(ident: unknown): string {
  if (typeof ident === 'bigint') return `${ident}n`;
  try {
    const s = JSON.stringify(ident);
    if (s !== undefined) return s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    // Falls through to the generic description.
  }
  return describe(ident);
}

const IDENT_KINDS = 'a string, number, bigint, boolean, or an array or plain object of those';

/**
 * Checks the configs a manager launched for topology 'custom' against each other and the workers
 * already in the cluster: every worker has an ident, no two share one, and every entry of
 * connectIdents names one of them. Throws ArgumentError saying what is wrong and how to fix it.
 */
export function checkCustomConfigs(managerName: string, configs: WorkerConfig[]): void {
  const known = new Map<string, string>();
  for (const entry of state.peers.values()) {
    const key = entry.config ? identKey(entry.config.ident) : undefined;
    if (key !== undefined) known.set(key, `worker ${entry.pid}`);
  }
  configs.forEach((config, i) => {
    const where = `manager '${managerName}' gave WorkerConfig ${i + 1} of ${configs.length}`;
    if (config.ident === undefined || config.ident === null) {
      throw new ArgumentError(
        `addprocs: with topology 'custom' every WorkerConfig needs an ident, but ${where} without one; ` +
          `set config.ident (${IDENT_KINDS}) and config.connectIdents in the manager's launch`,
      );
    }
    const key = identKey(config.ident);
    if (key === undefined) {
      throw new ArgumentError(
        `addprocs: a WorkerConfig ident must be ${IDENT_KINDS}; ${where} with ident ${describe(config.ident)}`,
      );
    }
    const holder = known.get(key);
    if (holder !== undefined) {
      throw new ArgumentError(
        `addprocs: ${where} with ident ${showIdent(config.ident)}, which ${holder} already has; idents must be unique`,
      );
    }
    known.set(key, `WorkerConfig ${i + 1}`);
  });
  configs.forEach((config, i) => {
    const list = config.connectIdents;
    if (list === undefined || list === null) return;
    const where = `WorkerConfig ${i + 1} (ident ${showIdent(config.ident)}) of manager '${managerName}'`;
    if (!Array.isArray(list)) {
      throw new ArgumentError(
        `addprocs: connectIdents must be an array of idents, got ${describe(list)} in ${where}`,
      );
    }
    for (const target of list) {
      const key = identKey(target);
      if (key === undefined || !known.has(key)) {
        throw new ArgumentError(
          `addprocs: ${where} lists ${showIdent(target)} in connectIdents, but no worker has that ident ` +
            `(the idents are ${knownIdents(configs).join(', ')}); connectIdents may name only the idents ` +
            `of workers launched in the same addprocs call or already in the cluster`,
        );
      }
    }
  });
}

function knownIdents(configs: WorkerConfig[]): string[] {
  const idents = [...state.peers.values()]
    .sort((x, y) => x.pid - y.pid)
    .map((e) => e.config?.ident)
    .filter((x) => x !== undefined);
  return [...idents, ...configs.map((c) => c.ident)].map(showIdent);
}

/** Master only: the workers that `pid` is linked to under topology 'custom'. */
export function linkedPids(pid: number): number[] {
  const me = state.peers.get(pid)?.config;
  if (!me) return [];
  const myKey = identKey(me.ident);
  const mine = new Set((me.connectIdents ?? []).map(identKey));
  const out: number[] = [];
  for (const other of state.peers.values()) {
    if (other.pid === pid || !other.config) continue;
    const theirs = (other.config.connectIdents ?? []).map(identKey);
    if (mine.has(identKey(other.config.ident)) || theirs.includes(myKey)) out.push(other.pid);
  }
  return out.sort((a, b) => a - b);
}
