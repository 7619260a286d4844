/** Distributed.jl test/managers.jl, ported: parsing machine specs, and how managers present themselves. */
import { describe, expect, it } from 'vitest';
import { parseMachine } from '../../src/cluster/machine-spec.js';
import { ArgumentError, LocalManager, SSHManager } from '../../src/index.js';

const hostPort = (spec: string) => {
  const m = parseMachine(spec);
  return [m.host, m.port ?? null];
};

describe('managers', () => {
  it('managers.jl:8 parse_machine: host, host:port, IPv6 in brackets, ports 1..65535', () => {
    expect(hostPort('127.0.0.1')).toEqual(['127.0.0.1', null]);
    expect(hostPort('127.0.0.1:80')).toEqual(['127.0.0.1', 80]);
    expect(hostPort('[2001:db8::1]')).toEqual(['2001:db8::1', null]);
    expect(hostPort('[2001:db8::1]:443')).toEqual(['2001:db8::1', 443]);
    expect(hostPort('127.0.0.1:90')).toEqual(['127.0.0.1', 90]);
    expect(hostPort('127.0.0.1:1')).toEqual(['127.0.0.1', 1]);
    expect(hostPort('127.0.0.1:65535')).toEqual(['127.0.0.1', 65535]);
  });

  it('managers.jl:17 parse_machine refuses bad ports and brackets', () => {
    for (const bad of [
      '127.0.0.1:-1',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '[2001:db8::1]:443:888',
      '[2001:db8::1',
      '[2001:db8::1]:aaa',
    ]) {
      expect(() => parseMachine(bad), bad).toThrow(ArgumentError);
    }
  });

  it('managers.jl:24 an SSHManager presents itself by its kind and lists its machines', () => {
    const m = new SSHManager(['127.0.0.1']);
    expect(m.name).toBe('ssh');
    expect(m.machines.map((x) => x.host)).toEqual(['127.0.0.1']);
  });

  it('managers.jl:26 a LocalManager presents itself by its kind, not its settings', () => {
    const m = new LocalManager(1);
    expect(m.name).toBe('local');
    expect(new LocalManager(3).name).toBe(m.name);
  });
});
