import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hugePageBytes, hugePageNote, thpMode } from '../../bench/lib/huge-pages.js';

const linux = existsSync('/proc/self/smaps_rollup');

describe('bench huge-page readings', () => {
  it.skipIf(!linux)('reads this process and names the THP mode', () => {
    expect(hugePageBytes(process.pid)).toBeGreaterThanOrEqual(0);
    const mode = thpMode();
    if (mode !== undefined) expect(['always', 'madvise', 'never']).toContain(mode);
    const note = hugePageNote([['this test', [process.pid]]]);
    if (mode !== undefined) expect(note).toMatch(/^this test \d+ MiB on huge pages \(THP: \w+\)$/);
  });

  it('reports a process it cannot read as unknown, not as zero', () => {
    // Process ids stay below 2^22 on Linux.
    expect(hugePageBytes(2 ** 30)).toBeUndefined();
    const note = hugePageNote([['gone', [2 ** 30]]]);
    if (note !== undefined) expect(note).toMatch(/^gone unknown on huge pages/);
  });
});
