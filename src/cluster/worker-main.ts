/** Entry point of a worker process started by a cluster manager. */
import '../index.js';
import { startWorker } from './worker.js';

// LocalManager relays the worker's stderr itself, so it stays apart from stdout.
// `--socket PATH` listens on a Unix domain socket instead of TCP (see StartWorkerOptions.socketPath).
const at = process.argv.indexOf('--socket');
const socketPath = at >= 0 ? process.argv[at + 1] : undefined;
startWorker({ restrict: !process.argv.includes('--bind-all'), stderrToStdout: false, socketPath }).catch(
  (err: Error) => {
    process.stderr.write(`darray worker failed to start: ${err.message}\n`);
    process.exit(1);
  },
);
