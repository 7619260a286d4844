// Builds the WebAssembly kernels in kernels/wasm from source (AssemblyScript, from npm) into
// kernels/wasm/build/kernels.wasm, and copies it to dist/kernels/wasm/build/ where the compiled
// library looks for it. Nothing is downloaded: asc comes from node_modules.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}kernels/wasm/`;
const out = `${src}build/kernels.wasm`;
const sources = existsSync(src)
  ? readdirSync(src)
      .filter((f) => f.endsWith('.as.ts'))
      .sort()
  : [];

if (sources.length > 0) {
  const { default: asc } = await import('assemblyscript/asc');
  mkdirSync(`${src}build`, { recursive: true });
  // The memory is created by the host (kernels/wasm/heap.ts) and shared with worker threads, so it
  // is imported, shared, and its maximum matches the largest the host asks for (4 GiB).
  const { error, stderr } = await asc.main([
    ...sources.map((f) => `${src}${f}`),
    '-o',
    out,
    '-O3',
    '--noAssert',
    '--runtime',
    'stub',
    '--importMemory',
    '--sharedMemory',
    '--initialMemory',
    '1',
    '--maximumMemory',
    '65536',
    '--enable',
    'simd',
    '--enable',
    'threads',
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-kernels: asc failed: ${error.message}`);
    process.exit(1);
  }
  mkdirSync(`${root}dist/kernels/wasm/build`, { recursive: true });
  copyFileSync(out, `${root}dist/kernels/wasm/build/kernels.wasm`);
  console.log(`build-kernels: ${sources.length} AssemblyScript sources → kernels/wasm/build/kernels.wasm`);
}
