/**
 * Mutual cookie authentication without sending the cookie: each side proves it knows the cookie by
 * an HMAC over both sides' fresh nonces (challenge–response in both directions), after checking
 * that both speak the same protocol version.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = 1;

export function nonce(): string {
  return randomBytes(16).toString('hex');
}

export function mac(cookie: string, role: 'acceptor' | 'connector', mine: string, theirs: string): string {
  return createHmac('sha256', cookie).update(`${role}|${theirs}|${mine}|v${PROTOCOL_VERSION}`).digest('hex');
}

export function macEqual(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
