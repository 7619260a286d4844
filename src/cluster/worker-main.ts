/** Entry point of a worker process started by a cluster manager. */
import '../index.js';
import { startWorker } from './worker.js';

// LocalManager relays the worker's stderr itself, so it stays apart from stdout.
startWorker({ restrict: !process.argv.includes('--bind-all'), stderrToStdout: false }).catch((err: Error) => {
  process.stderr.write(`darray worker failed to start: ${err.message}\n`);
  process.exit(1);
});
