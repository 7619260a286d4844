/**
 * The secret every rank of an SPMD launch shares. It never goes on a command line: it comes from
 * DARRAY_COOKIE, or a file named by DARRAY_COOKIE_FILE, or (with neither) a file rank 0 writes
 * for this launch, readable only by the user, which the other ranks wait for and rank 0 deletes
 * once they have all connected.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError } from '../errors.js';
import type { LaunchInfo } from './launch-env.js';

type Env = Record<string, string | undefined>;

/** The cookie and, when rank 0 generated it, the file to delete once every rank has read it. */
export interface SpmdCookie {
  cookie: string;
  generated?: string;
}

/** A generated file older than this process by more than this is left from an earlier launch. */
const STALE_MS = 60_000;

/** Finds (or, on rank 0, makes) the launch's cookie; other ranks wait for rank 0's file until `deadline`. */
export async function spmdCookie(
  info: LaunchInfo,
  deadline: number,
  env: Env = process.env,
): Promise<SpmdCookie> {
  if (env.DARRAY_COOKIE) return { cookie: checked(env.DARRAY_COOKIE, 'DARRAY_COOKIE') };
  if (env.DARRAY_COOKIE_FILE) return { cookie: readPrivate(env.DARRAY_COOKIE_FILE, 'DARRAY_COOKIE_FILE') };
  const path = generatedPath(info, env);
  if (info.rank === 0) {
    const cookie = randomBytes(16).toString('hex');
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${cookie}\n`, { mode: 0o600 });
    // Renamed into place whole, so a rank never reads half a cookie.
    renameSync(tmp, path);
    return { cookie, generated: path };
  }
  const started = Date.now() - process.uptime() * 1000;
  for (;;) {
    try {
      const st = statSync(path);
      if (st.mtimeMs >= started - STALE_MS) return { cookie: readPrivate(path, 'the generated cookie file') };
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) {
      throw new Error(
        `initialize: rank ${info.rank} waited for rank 0 to write the cookie file ${path} and it did not appear; ` +
          'rank 0 may have failed to start, or the nodes may not share this directory: set DARRAY_COOKIE ' +
          '(the same secret on every rank) or DARRAY_COOKIE_FILE (a file readable only by you on every node)',
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Deletes a cookie file rank 0 generated (once every rank has it, and at exit). */
export function removeGenerated(c: SpmdCookie): void {
  if (!c.generated) return;
  try {
    unlinkSync(c.generated);
  } catch {
    // Already gone.
  }
}

/**
 * One node: a private directory in the temporary directory. Several nodes: `~/.darray/spmd`,
 * which on a cluster is usually on a filesystem every node shares. Without a key that every rank
 * shares and other launches do not, there is no safe place, and a secret is required instead.
 */
function generatedPath(info: LaunchInfo, env: Env): string {
  // On one node the ranks share a parent process (slurmstepd, Open MPI's daemon, Hydra's proxy).
  const key = info.jobKey ?? (info.singleNode ? `ppid-${process.ppid}` : undefined);
  if (key === undefined) {
    throw new ArgumentError(
      `initialize: the ${info.launcher} launch spans several hosts and gives no job id to name a shared ` +
        'cookie file by, and darray will not use a guessable secret; set DARRAY_COOKIE to the same random ' +
        "secret on every rank (e.g. from a Kubernetes Secret; generate one with node -p \"require('crypto')." +
        "randomBytes(16).toString('hex')\"), or DARRAY_COOKIE_FILE to a file readable only by you",
    );
  }
  const uid = process.getuid?.() ?? 0;
  const dir = info.singleNode
    ? join(tmpdir(), `darray-${uid}`)
    : join(env.HOME ?? homedir(), '.darray', 'spmd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new ArgumentError(
      `initialize: the directory ${dir} for the generated cookie must belong to you and be private ` +
        `(mode 700), but it is owned by uid ${st.uid} with mode ${(st.mode & 0o777).toString(8)}; ` +
        'fix it (chmod 700), or set DARRAY_COOKIE or DARRAY_COOKIE_FILE',
    );
  }
  return join(dir, `${key.replace(/[^\w.-]/g, '_')}.cookie`);
}

function readPrivate(path: string, what: string): string {
  let st: ReturnType<typeof statSync>;
  let text: string;
  try {
    st = statSync(path);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ArgumentError(`initialize: cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ArgumentError(
      `initialize: ${what} ${path} can be read by others (mode ${(st.mode & 0o777).toString(8)}); ` +
        `anyone who reads the cookie can run code on every rank: chmod 600 ${path}`,
    );
  }
  return checked(text.split('\n')[0]?.trim() ?? '', what);
}

function checked(cookie: string, what: string): string {
  if (cookie.length < 16 || /\s/.test(cookie)) {
    throw new ArgumentError(
      `initialize: the cookie from ${what} must be at least 16 characters without whitespace, got ` +
        `${cookie.length} characters; use a random secret, e.g. from openssl rand -hex 16`,
    );
  }
  return cookie;
}
