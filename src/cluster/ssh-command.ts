/**
 * The command line SSHManager sends to a remote shell: quoting for POSIX shells and for csh/tcsh,
 * and splitting an `sshflags` string into words.
 */
import { ArgumentError, describe } from '../errors.js';

/** The remote login shell's family. */
export type RemoteShell = 'posix' | 'csh';

/** What the remote worker is started with. */
export interface RemoteCommand {
  exename: string;
  /** Node flags, the worker script, then the worker's own flags. */
  args: string[];
  dir: string;
  env: Record<string, string>;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for sh, bash, dash, ksh and zsh. */
export function quotePosix(word: string): string {
  return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quotes one word for csh and tcsh, where `!` expands even inside single quotes. */
export function quoteCsh(word: string): string {
  if (/[\r\n]/.test(word)) {
    throw new ArgumentError(`shell 'csh': a word cannot hold a line break, got ${describe(word)}`);
  }
  return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`).replace(/!/g, '\\!')}'`;
}

/** The marker line the remote shell prints before it becomes the worker: its pid, for interrupt and kill. */
export const PID_MARK = 'darray-ssh-pid';

/**
 * The remote command: go to `dir`, set `env`, print the shell's pid and replace the shell by the
 * worker (so that pid is the worker's). A POSIX login shell (`sh -l`) sets up PATH as for a login.
 */
export function remoteCommand(c: RemoteCommand, shell: RemoteShell): string {
  for (const k of Object.keys(c.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      throw new ArgumentError(`addprocs: env: ${describe(k)} is not a valid environment variable name`);
    }
  }
  const q = shell === 'csh' ? quoteCsh : quotePosix;
  const steps = [
    `cd ${shell === 'posix' ? '-- ' : ''}${q(c.dir)}`,
    ...Object.entries(c.env).map(([k, v]) =>
      shell === 'csh' ? `setenv ${k} ${q(v)}` : `export ${k}=${q(v)}`,
    ),
    `echo ${PID_MARK} $$`,
    `exec ${[c.exename, ...c.args].map(q).join(' ')}`,
  ];
  const script = steps.join(' && ');
  return shell === 'csh' ? script : `sh -l -c ${quotePosix(script)}`;
}

/** Splits an `sshflags` string as a shell would (whitespace, single and double quotes, backslash). */
export function splitFlags(flags: string | readonly string[]): string[] {
  if (typeof flags !== 'string') return [...flags];
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < flags.length; i++) {
    const ch = flags[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < flags.length) word = `${word ?? ''}${flags[++i]}`;
      else word = `${word ?? ''}${ch}`;
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (ch === '\\' && i + 1 < flags.length) {
      word = (word ?? '') + flags[++i];
    } else word = (word ?? '') + ch;
  }
  if (quote) throw new ArgumentError(`addprocs: sshflags: unterminated ${quote} quote in ${describe(flags)}`);
  if (word !== undefined) words.push(word);
  return words;
}
