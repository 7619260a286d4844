/**
 * What a peer that has not authenticated may cost this process. Anyone who can reach a worker's
 * port can open a connection, so until a peer proves it knows the cookie it gets small, fixed
 * limits: on the size of each message, on the bytes it may send in all, on how long it may take,
 * and on how many such connections may wait at once. Refusals are logged once per address, so a
 * scanner or a misconfigured peer retrying in a loop cannot flood the log.
 */

/** Largest frame accepted before authentication; a real handshake message is about 150 bytes. */
export const PREAUTH_MAX_FRAME_BYTES = 4096;
/** Bytes a peer may send in all before it has authenticated (a real handshake sends about 300). */
export const PREAUTH_BUDGET_BYTES = 6144;
/**
 * How long a peer that connected to us has to complete the handshake. The side that dialed allows
 * longer, since the process it dialed may be busy running a call when the connection arrives.
 */
export const ACCEPT_DEADLINE_MS = 5000;
/** How long the side that dialed waits for the handshake to complete. */
export const DIAL_DEADLINE_MS = 15_000;
/** Connections awaiting authentication that a worker keeps at once; further ones are closed at once. */
export const MAX_PENDING_HANDSHAKES = 256;
/** Distinct addresses whose refusals are logged; past this, refusals are counted but not logged. */
const MAX_LOGGED_ADDRESSES = 1024;

const counters = {
  /** Connections whose handshake has not finished yet. */
  pending: 0,
  /** Connections refused (wrong cookie, malformed or oversized message, too slow, too many). */
  refused: 0,
  /** The most bytes any one connection had sent (buffered or read) before authenticating. */
  peakBytes: 0,
};

/**
 * Counts of unauthenticated connections in this process, for tests and diagnostics: how many are
 * waiting now, how many were refused, and the most bytes one of them sent before authenticating.
 */
export function preauthStats(): { pending: number; refused: number; peakBytes: number } {
  return { ...counters };
}

/** Records one more connection awaiting its handshake, and returns the function that ends it (once). */
export function beginHandshake(): () => void {
  counters.pending++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    counters.pending--;
  };
}

/** Records how many bytes an unauthenticated connection has sent so far. */
export function notePreauthBytes(n: number): void {
  if (n > counters.peakBytes) counters.peakBytes = n;
}

const loggedAddresses = new Set<string>();

/** Counts a refusal and logs it the first time `address` is refused. */
export function noteRefusal(address: string, why: string, log: (line: string) => void): void {
  counters.refused++;
  if (loggedAddresses.has(address)) return;
  if (loggedAddresses.size >= MAX_LOGGED_ADDRESSES) return;
  loggedAddresses.add(address);
  const more =
    loggedAddresses.size === MAX_LOGGED_ADDRESSES
      ? `; refusals from ${MAX_LOGGED_ADDRESSES} addresses have been logged, later ones are not`
      : `; later refusals from ${address} are not logged`;
  log(`darray: refused connection from ${address}: ${why}${more}`);
}
