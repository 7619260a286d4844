/** Heartbeat settings: defaults, the DARRAY_HEARTBEAT_* variables and the addprocs option. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseHeartbeat } from '../../src/cluster/heartbeat.js';
import { ArgumentError } from '../../src/errors.js';

afterEach(() => {
  delete process.env.DARRAY_HEARTBEAT_TIMEOUT;
  delete process.env.DARRAY_HEARTBEAT_INTERVAL;
});

describe('heartbeat settings', () => {
  it('default to a 1 s interval and a 10 s timeout', () => {
    expect(parseHeartbeat(undefined)).toEqual({ intervalMs: 1000, timeoutMs: 10_000 });
  });

  it('come from the environment, where a timeout of 0 turns them off', () => {
    process.env.DARRAY_HEARTBEAT_TIMEOUT = '2';
    // The interval stays under a quarter of the timeout unless set.
    expect(parseHeartbeat(undefined)).toEqual({ intervalMs: 500, timeoutMs: 2000 });
    process.env.DARRAY_HEARTBEAT_INTERVAL = '0.25';
    expect(parseHeartbeat(undefined)).toEqual({ intervalMs: 250, timeoutMs: 2000 });
    process.env.DARRAY_HEARTBEAT_TIMEOUT = '0';
    expect(parseHeartbeat(undefined)).toBeUndefined();
  });

  it('the option overrides them, field by field, and false turns them off', () => {
    process.env.DARRAY_HEARTBEAT_TIMEOUT = '30';
    expect(parseHeartbeat({ interval: 0.5 })).toEqual({ intervalMs: 500, timeoutMs: 30_000 });
    expect(parseHeartbeat({ timeout: 3 })).toEqual({ intervalMs: 750, timeoutMs: 3000 });
    expect(parseHeartbeat(false)).toBeUndefined();
  });

  it('bad values are refused with what was expected', () => {
    expect(() => parseHeartbeat({ timeout: 0 })).toThrow(
      /heartbeat.timeout must be a positive number of seconds, got number 0/,
    );
    expect(() => parseHeartbeat(true as never)).toThrow(ArgumentError);
    process.env.DARRAY_HEARTBEAT_INTERVAL = '5';
    process.env.DARRAY_HEARTBEAT_TIMEOUT = '5';
    expect(() => parseHeartbeat(undefined)).toThrow(
      /must be positive and shorter than DARRAY_HEARTBEAT_TIMEOUT/,
    );
  });
});
