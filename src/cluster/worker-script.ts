/** Locates the compiled worker entry that managers start as each worker process. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Path of the compiled worker entry. Running from the TypeScript sources (tests), the workers
 * still run the build in dist/, so `npm run build` must have run.
 */
export function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.endsWith('.ts')
    ? here.replace(/([\\/])src([\\/]cluster[\\/])worker-script\.ts$/, '$1dist$1src$2worker-main.js')
    : here.replace(/worker-script\.js$/, 'worker-main.js');
  if (!existsSync(js)) {
    throw new Error(`darray: the worker entry ${js} is missing; run 'npm run build' first`);
  }
  return js;
}
