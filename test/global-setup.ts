/**
 * Vitest global setup: the tests import the TypeScript sources, but the worker processes they start
 * (and the fixtures and examples) run the build in dist/. A build older than its sources made tests
 * fail for reasons a newcomer could not see, so a stale or missing build is rebuilt here first, and a
 * build that fails stops the run with the compiler's message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The folders tsconfig.build.json compiles into dist/. */
const SOURCE_DIRS = ['src', 'darray', 'gpu', 'kernels', 'bench', 'examples'];

function* tsFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'build' && entry.name !== 'node_modules') yield* tsFiles(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

/** The first source whose compiled output is missing or older than it, or undefined if none. */
export function staleSource(): string | undefined {
  for (const dir of SOURCE_DIRS) {
    for (const file of tsFiles(join(root, dir))) {
      // AssemblyScript kernels compile into one .wasm, not one .js each.
      const out = file.endsWith('.as.ts')
        ? join(root, 'dist/kernels/wasm/build/kernels.wasm')
        : join(root, 'dist', relative(root, file)).replace(/\.ts$/, '.js');
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs) {
        return relative(root, file);
      }
    }
  }
  return undefined;
}

export default function setup(): void {
  const stale = staleSource();
  if (stale === undefined) return;
  process.stdout.write(`darray tests: dist/ is older than ${stale}; running 'npm run build' first\n`);
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  } catch {
    throw new Error(
      "darray tests: 'npm run build' failed (see the compiler output above); the tests run workers " +
        'from dist/, so fix the build and run them again',
    );
  }
}
