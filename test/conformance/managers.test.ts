/**
 * Distributed.jl test/managers.jl, ported. Its parse_machine and SSHManager checks wait for the
 * SSH manager (see UNMAPPED.md); what remains is how the local manager presents itself.
 */
import { describe, expect, it } from 'vitest';
import { LocalManager } from '../../src/index.js';

describe('managers', () => {
  it('managers.jl:26 a LocalManager presents itself by its kind, not its settings', () => {
    const m = new LocalManager(1);
    expect(m.name).toBe('local');
    expect(new LocalManager(3).name).toBe(m.name);
  });
});
