// Checks the layering (.dependency-cruiser.cjs) on the build in dist/: the compiled file of each
// source under src/, darray/, gpu/ and kernels/, and nothing else, so that a stale file left in
// dist/ by an older build (its source since moved or deleted) cannot fail or pass the check.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter(
      (e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.as.ts'),
    )
    .map((e) => relative(root, join(e.parentPath, e.name)));

const files = ['src', 'darray', 'gpu', 'kernels']
  .flatMap(sources)
  .map((f) => join('dist', f.replace(/\.ts$/, '.js')));
const missing = files.filter((f) => !existsSync(join(root, f)));
if (missing.length > 0) {
  console.error(
    `layers: ${missing[0]} is missing (and ${missing.length - 1} more); run 'npm run build' first`,
  );
  process.exit(1);
}
const bin = join(root, 'node_modules', '.bin', 'depcruise');
const r = spawnSync(bin, ['--config', '.dependency-cruiser.cjs', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
