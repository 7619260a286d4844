/** Entry point of a worker process started by a cluster manager. */
import '../index.js';
import { startWorker } from './worker.js';

startWorker({ restrict: !process.argv.includes('--bind-all') }).catch((err: Error) => {
  process.stderr.write(`darray worker failed to start: ${err.message}\n`);
  process.exit(1);
});
