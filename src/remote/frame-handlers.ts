/** Handlers for message kinds other than calls and references (join, peers, gc, …), by kind. */
import type { Connection } from '../cluster/connection.js';
import type { Frame } from '../cluster/wire/frame.js';

/** Handles one incoming frame of a registered kind; a returned promise is awaited for errors. */
export type KindHandler = (conn: Connection, frame: Frame) => void | Promise<void>;
const handlers = new Map<string, KindHandler>();

/** Routes messages of `kind` to `h`. Kept free of imports so that any module may register. */
export function handleKind(kind: string, h: KindHandler): void {
  handlers.set(kind, h);
}

/** The handler registered for `kind`, if any (the dispatcher refuses unknown kinds). */
export function kindHandler(kind: string): KindHandler | undefined {
  return handlers.get(kind);
}
