/** Entry point of a worker process started by a cluster manager. */
import '../index.js';
import { bindFromArgs } from './bind.js';
import { startWorker } from './worker.js';

// Managers pass --bind-all, --bind-to or --interface (bind.ts), or `--socket PATH` to listen on a
// Unix domain socket instead of TCP (StartWorkerOptions.socketPath). LocalManager relays the
// worker's stderr itself, so it stays apart from stdout.
const at = process.argv.indexOf('--socket');
const socketPath = at >= 0 ? process.argv[at + 1] : undefined;
startWorker({ ...bindFromArgs(process.argv), stderrToStdout: false, socketPath }).catch((err: Error) => {
  process.stderr.write(`darray worker failed to start: ${err.message}\n`);
  process.exit(1);
});
