// npm run bench -- <name>: runs the compiled benchmark dist/bench/<name>.js (build first with
// npm run build). Without a name, lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const names = readdirSync(`${root}bench`)
  .filter((f) => f.endsWith('.ts') && f !== 'common.ts')
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <name>\nbenchmarks: ${names.join(', ')}`);
  process.exit(name ? 1 : 0);
}
const file = `${root}dist/bench/${name}.js`;
if (!existsSync(file)) {
  console.error(`${file} is missing; run npm run build first`);
  process.exit(1);
}
const r = spawnSync(process.execPath, [file, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
