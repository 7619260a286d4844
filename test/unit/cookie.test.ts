import { describe, expect, it } from 'vitest';
import { ArgumentError, clusterCookie } from '../../src/index.js';

describe('clusterCookie', () => {
  it('refuses a blank cookie or one with whitespace, says why and how to fix it, and keeps the current one', () => {
    const current = clusterCookie();
    for (const [bad, got] of [
      [' ', /got a string with whitespace/],
      ['two words', /got a string with whitespace/],
      [42, /got number 42/],
    ] as const) {
      let err: unknown;
      try {
        clusterCookie(bad as string);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as Error).message).toMatch(got);
      expect((err as Error).message).toMatch(/expected a string without whitespace/);
      expect((err as Error).message).toMatch(/Call clusterCookie\(\) without an argument/);
      expect(clusterCookie()).toBe(current);
    }
  });

  it('accepts the empty cookie, as Julia does, and warns once that it authenticates anyone', () => {
    const before = clusterCookie();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(clusterCookie('')).toBe('');
      clusterCookie(before);
      expect(clusterCookie('')).toBe('');
    } finally {
      clusterCookie(before);
    }
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        process.off('warning', onWarning);
        expect(warnings.filter((w) => w.includes('empty cookie'))).toHaveLength(1);
        resolve();
      }),
    );
  });

  it('accepts any other string, longer than Julia’s 16 characters included', () => {
    const before = clusterCookie();
    try {
      expect(clusterCookie('a-cookie-longer-than-sixteen-characters')).toBe(
        'a-cookie-longer-than-sixteen-characters',
      );
      expect(clusterCookie()).toBe('a-cookie-longer-than-sixteen-characters');
    } finally {
      clusterCookie(before);
    }
  });
});
