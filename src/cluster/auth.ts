/**
 * Mutual cookie authentication without sending the cookie: each side proves it knows the cookie by
 * an HMAC over both sides' fresh nonces (challenge–response in both directions), after checking
 * that both speak the same protocol version.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Version of the wire protocol (3: compact call and reply bodies); peers with another version are refused during the handshake. */
export const PROTOCOL_VERSION = 3;

/** A fresh random challenge, so that a recorded proof cannot be replayed. */
export function nonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The proof `role` sends: an HMAC keyed by the cookie over both nonces. The role is part of the
 * input, so one side's proof can never be reflected back as the other's.
 */
export function mac(cookie: string, role: 'acceptor' | 'connector', mine: string, theirs: string): string {
  return createHmac('sha256', cookie).update(`${role}|${theirs}|${mine}|v${PROTOCOL_VERSION}`).digest('hex');
}

/** Compares a peer's proof with the expected one in constant time; false for anything not a string of its length. */
export function macEqual(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
