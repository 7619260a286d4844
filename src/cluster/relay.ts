/** Relays a worker's output to the master's, each line prefixed `From worker N:` as in Julia. */

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ANNOUNCE } from './worker.js';

/** Where a worker said it listens (host may be a Unix socket path, with port 0). */
export interface Announcement {
  host: string;
  port: number;
}

/**
 * Reads the worker's announcement (its first line) and then relays every later line once
 * `pidReady` resolves. Lines before the announcement are kept for the error if it never comes.
 */
export function watchOutput(
  out: Readable,
  err: Readable | undefined,
  pidReady: Promise<number>,
  timeoutMs: number,
): Promise<Announcement> {
  return new Promise((resolve, reject) => {
    const early: string[] = [];
    let announced = false;
    const relay = (stream: Readable, sink: NodeJS.WriteStream, first: boolean) => {
      const rl = createInterface({ input: stream });
      rl.on('line', (line) => {
        if (first && !announced) {
          const unix = line.startsWith(ANNOUNCE) ? /\sunix:(\/\S+)\s*$/.exec(line) : null;
          if (unix) {
            // A worker on a Unix domain socket: the path is its host, with port 0 (see mesh.dial).
            announced = true;
            clearTimeout(timer);
            resolve({ host: unix[1] ?? '', port: 0 });
            return;
          }
          const m = line.startsWith(ANNOUNCE) ? /\s(\S+):(\d+)\s*$/.exec(line) : null;
          if (m) {
            announced = true;
            clearTimeout(timer);
            resolve({ host: m[1] ?? '127.0.0.1', port: Number(m[2]) });
            return;
          }
        }
        if (!announced) early.push(line);
        void pidReady.then((pid) => sink.write(`From worker ${pid}:\t${line}\n`));
      });
      if (first) {
        rl.on('close', () => {
          if (!announced) fail('it exited before announcing its address');
        });
      }
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      const tail = early.slice(-20).join('\n');
      reject(new Error(`worker failed to start: ${why}${tail ? `; its output was:\n${tail}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no address announced within ${timeoutMs / 1000} s`), timeoutMs);
    relay(out, process.stdout, true);
    if (err) relay(err, process.stderr, false);
  });
}
