/** Registers the managers addprocs builds itself: LocalManager for a count, SSHManager for hosts. */
import { LocalManager } from './local-manager.js';
import type { HostSpec } from './machine-spec.js';
import { registerManager } from './manager-registry.js';
import { SSH_OPTION_NAMES, SSHManager, type SSHOptions } from './ssh-manager.js';

registerManager({
  name: 'local',
  options: [],
  takes: 'a number of workers (addprocs(4))',
  accepts: (what) => typeof what === 'number',
  create: (what) => new LocalManager(what as number),
});

registerManager({
  name: 'ssh',
  options: SSH_OPTION_NAMES,
  takes: "a list of machines (addprocs(['node1', '2*node2']))",
  accepts: (what) => Array.isArray(what),
  create: (what, opts) => new SSHManager(what as HostSpec[], opts as SSHOptions),
});
