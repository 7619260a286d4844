/** Handlers for message kinds other than calls and references (join, peers, gc, …), by kind. */
import type { Connection } from '../cluster/connection.js';
import type { Frame } from '../cluster/wire/frame.js';

export type KindHandler = (conn: Connection, frame: Frame) => void | Promise<void>;
const handlers = new Map<string, KindHandler>();

/** Routes messages of `kind` to `h`. Kept free of imports so that any module may register. */
export function handleKind(kind: string, h: KindHandler): void {
  handlers.set(kind, h);
}

export function kindHandler(kind: string): KindHandler | undefined {
  return handlers.get(kind);
}
