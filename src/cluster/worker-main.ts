/** Entry point of a worker process started by a cluster manager. */
import '../index.js';
import { bindFromArgs } from './bind.js';
import { startWorker } from './worker.js';

// Managers pass --bind-all, --bind-to or --interface (bind.ts). LocalManager relays the worker's stderr itself, so it stays apart from stdout.
startWorker({ ...bindFromArgs(process.argv), stderrToStdout: false }).catch((err: Error) => {
  process.stderr.write(`darray worker failed to start: ${err.message}\n`);
  process.exit(1);
});
