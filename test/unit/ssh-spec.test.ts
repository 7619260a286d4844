// Machine specs, machine files, remote-command quoting and addprocs's SSH option checks: no ssh needed.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bindArgs, bindPlan, parseHostPort } from '../../src/cluster/bind.js';
import { machineFileSpecs, parseMachine, parseMachines } from '../../src/cluster/machine-spec.js';
import { quoteCsh, quotePosix, remoteCommand, splitFlags } from '../../src/cluster/ssh-command.js';
import { addprocs, managerKinds, SSHManager } from '../../src/index.js';

describe('machine specs', () => {
  it('parses host, user@host:port, N*host, [host, n] and a bind address', () => {
    expect(parseMachine('node1')).toMatchObject({
      host: 'node1',
      count: 1,
      user: undefined,
      port: undefined,
    });
    expect(parseMachine('me@node2:2222')).toMatchObject({ user: 'me', host: 'node2', port: 2222 });
    expect(parseMachine('4*me@node3')).toMatchObject({ user: 'me', host: 'node3', count: 4 });
    expect(parseMachine('node4 10.0.0.5:9000')).toMatchObject({ host: 'node4', bindTo: '10.0.0.5:9000' });
    expect(parseMachine('[fe80::1]:22')).toMatchObject({ host: 'fe80::1', port: 22 });
    expect(parseMachines(['a', ['b', 3]]).map((m) => [m.host, m.count])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
  });

  it('rejects bad specs with the spec and the expected form', () => {
    expect(() => parseMachine('a:b:c:d x y')).toThrow(/expected '\[count\*\]\[user@\]host\[:port\]/);
    expect(() => parseMachine('node:99999')).toThrow(/port .* must be an integer 0..65535/);
    expect(() => parseMachine('0*node')).toThrow(/positive integer/);
    expect(() => parseMachine('2*node', 3)).toThrow(/not both/);
    expect(() => parseMachine('-oProxyCommand=x')).toThrow(/cannot start with '-'/);
    expect(() => parseMachines([])).toThrow(/non-empty list of machines/);
    expect(() => parseMachines([['a', 'b']])).toThrow(/string or \[string, count\]/);
  });

  it('reads a machine file: counts, bind addresses, comments and blank lines; bad lines by number', () => {
    const text = '# the cluster\n2*node1\n\n  me@node2:2222 10.0.0.2  # fast link\n';
    expect(machineFileSpecs(text, 'hosts')).toEqual(['2*node1', 'me@node2:2222 10.0.0.2']);
    expect(() => machineFileSpecs('node1\nnode2:x\n', 'hosts')).toThrow(/^hosts:2: .*port/);
    expect(() => machineFileSpecs('# nothing\n', 'hosts')).toThrow(/lists no machines/);
  });
});

describe('remote command', () => {
  const nasty = `it's a $HOME \`x\` "q" !1 \\ ;|&`;

  it('posix quoting survives sh unchanged', () => {
    const r = spawnSync('sh', ['-c', `printf %s ${quotePosix(nasty)}`], { encoding: 'utf8' });
    expect(r.stdout).toBe(nasty);
  });

  it('csh quoting escapes ! and refuses line breaks', () => {
    expect(quoteCsh("a'b!c")).toBe(`'a'\\''b\\!c'`);
    expect(() => quoteCsh('a\nb')).toThrow(/line break/);
  });

  it('the posix command changes directory, sets env, prints its pid and execs the worker', () => {
    const cmd = remoteCommand(
      {
        exename: process.execPath,
        args: ['-e', 'console.log(process.env.X, process.cwd())'],
        dir: '/tmp',
        env: { X: nasty },
      },
      'posix',
    );
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
    const [pidLine, out] = r.stdout.split('\n');
    expect(pidLine).toMatch(/^darray-ssh-pid \d+$/);
    expect(out).toBe(`${nasty} /tmp`);
    expect(() =>
      remoteCommand({ exename: 'node', args: [], dir: '/', env: { 'A-B': '1' } }, 'posix'),
    ).toThrow(/not a valid environment variable name/);
  });

  it('splits sshflags as a shell does', () => {
    expect(splitFlags(`-F "/a b/cfg" -o 'ProxyJump=x y' -i\\ k`)).toEqual([
      '-F',
      '/a b/cfg',
      '-o',
      'ProxyJump=x y',
      '-i k',
    ]);
    expect(splitFlags(['-p', '22'])).toEqual(['-p', '22']);
    expect(() => splitFlags('-F "x')).toThrow(/unterminated/);
  });
});

describe('bind options', () => {
  it('binds 127.0.0.1 unless asked; bindTo and interface set the address', () => {
    expect(bindPlan({})).toEqual({ listenHost: '127.0.0.1', listenPort: 0, announceHost: '127.0.0.1' });
    expect(bindPlan({ bindTo: '127.0.0.2:9000' })).toEqual({
      listenHost: '127.0.0.2',
      listenPort: 9000,
      announceHost: '127.0.0.2',
    });
    expect(bindPlan({ interface: 'lo' }).announceHost).toBe('127.0.0.1');
    expect(() => bindPlan({ interface: 'nosuch0' })).toThrow(/no network interface 'nosuch0'.*lo/);
    expect(bindArgs({ restrict: false })).toEqual(['--bind-all']);
    expect(parseHostPort('[::1]:5', 'x')).toEqual({ host: '::1', port: 5 });
  });

  it('addprocs checks bindTo, interface and SSH options before starting anything', async () => {
    await expect(addprocs(1, { bindTo: 'a:b' })).rejects.toThrow(/bindTo: the port .* got 'b'/);
    await expect(addprocs(1, { bindTo: '127.0.0.1', interface: 'lo' })).rejects.toThrow(/not both/);
    // An SSH option given with a count names the manager that takes it, from the registry.
    await expect(addprocs(1, { tunnel: true } as never)).rejects.toThrow(
      /option 'tunnel' belongs to the 'ssh' manager.*list of machines/,
    );
    await expect(addprocs(['h'], { shell: 'fish' } as never)).rejects.toThrow(/shell must be 'posix'/);
    await expect(addprocs(['h'], { maxParallel: 0 })).rejects.toThrow(
      /maxParallel must be a positive integer/,
    );
    await expect(addprocs('h' as never)).rejects.toThrow(
      /a number of workers .*a list of machines.* or a ClusterManager/,
    );
    expect(managerKinds().map((k) => k.name)).toEqual(['local', 'ssh']);
    expect(new SSHManager(['2*a', ['b', 2]]).machines.map((m) => m.count)).toEqual([2, 2]);
  });
});
