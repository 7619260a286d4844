/**
 * The cluster managers `addprocs` knows by name: which first argument each takes (a count, a host
 * list) and which options it adds. Every list of managers or of their options derives from here.
 */
import type { ClusterManager } from './manager.js';

/** A kind of cluster manager that addprocs can build from its arguments. */
export interface ManagerKind {
  /** The manager's name (its `name` property). */
  readonly name: string;
  /** The addprocs options this kind takes beyond the common ones. */
  readonly options: readonly string[];
  /** What addprocs's first argument looks like for this kind, for messages ('a number', …). */
  readonly takes: string;
  /** Whether addprocs's first argument is meant for this kind. */
  accepts(what: unknown): boolean;
  /** Builds the manager; `opts` holds only this kind's own options. */
  create(what: unknown, opts: Record<string, unknown>): ClusterManager;
}

const kinds = new Map<string, ManagerKind>();

/** Registers a kind of manager by name; a later one of the same name replaces it. */
export function registerManager(kind: ManagerKind): void {
  kinds.set(kind.name, kind);
}

/** Every registered kind, in registration order. */
export function managerKinds(): ManagerKind[] {
  return [...kinds.values()];
}

/** The kind whose first argument `what` is, if any. */
export function managerKindFor(what: unknown): ManagerKind | undefined {
  return managerKinds().find((k) => k.accepts(what));
}
