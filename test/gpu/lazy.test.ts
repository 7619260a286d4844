// Importing darray must not start a GPU backend: workers import the package too, and Dawn or tfjs
// would cost every process time and memory. The child runs the built package (npm test builds first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(`${root}dist/src/index.js`);

function loadedAfter(code: string): string {
  const script = `
    import { createRequire } from 'node:module';
    const d = await import('./dist/src/index.js');
    ${code}
    const cache = Object.keys(createRequire(import.meta.url)('node:module')._cache);
    console.log('LOADED', JSON.stringify(cache.filter((k) => /@tensorflow|gpu\\.js/.test(k)).length));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return /LOADED (\d+)/.exec(r.stdout)?.[1] ?? `no output: ${r.stderr}`;
}

it.skipIf(!built)(
  `importing darray loads neither tfjs nor gpu.js${built ? '' : ' (skipped: run npm run build)'}`,
  () => {
    expect(loadedAfter('')).toBe('0');
    // The same probe sees them once a backend is used, so the check above can fail.
    expect(Number(loadedAfter("await d.gpu(d.rand([4]), { backend: 'tfjs' });"))).toBeGreaterThan(0);
  },
);
