/**
 * Loads the package's own N-API addons (native/shm.c, native/matvec.c, prebuilt per platform under
 * native/prebuilds/<platform>-<arch>/). Nothing is loaded until a feature asks for it, so a
 * platform without a prebuild loses only that feature (SharedArray; the AVX2 matvec, whose place
 * the WASM kernel takes), with an error saying so.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions of native/shm.c. */
export interface ShmAddon {
  /** A new zero-filled file of `bytes` in /dev/shm (fails if `name` exists), mapped MAP_SHARED. */
  create(name: string, bytes: number): ArrayBuffer;
  /** Maps an existing /dev/shm file, which must hold at least `bytes`. */
  open(name: string, bytes: number): ArrayBuffer;
  /** Removes the /dev/shm file (mappings stay valid); false if it did not exist. */
  unlink(name: string): boolean;
  /** Detaches a buffer made by create or open, so its views read as empty and it is unmapped. */
  detach(buffer: ArrayBuffer): boolean;
  /** madvise(MADV_HUGEPAGE) on the whole pages inside any ArrayBuffer or SharedArrayBuffer. */
  madviseHugepage(buffer: ArrayBufferLike): boolean;
}

/**
 * The arguments of a matvec over the kernel heap, as the WASM kernel and the native one take them:
 * byte offsets of A, x and y, then n columns, rows lda elements apart, rows [start, end), and
 * acc ≠ 0 to add to y instead of replacing it.
 */
export type MatvecArgs = [
  a: number,
  x: number,
  y: number,
  n: number,
  lda: number,
  start: number,
  end: number,
  acc: number,
];

/** The functions of native/matvec.c: AVX2 + FMA matrix–vector products over the kernel heap. */
export interface MatvecAddon {
  /** Whether this CPU has AVX2 and FMA (the products throw without them). */
  supported(): boolean;
  /** y[r] (+)= Σ_j A[r, j]·x[j] in float64 over `heap`; a RangeError for a range past the heap. */
  f64(heap: Uint8Array, ...args: MatvecArgs): void;
  /** The same in float32. */
  f32(heap: Uint8Array, ...args: MatvecArgs): void;
}

const loaded = new Map<string, unknown>();

/** The folder holding `native/` (the package root), from src/native/ or dist/src/native/. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'native', 'prebuilds'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/** The path of the prebuilt addon `name` for this platform, or undefined where there is none. */
export function nativeFile(name: string): string | undefined {
  const root = packageRoot();
  const file =
    root && join(root, 'native', 'prebuilds', `${process.platform}-${process.arch}`, `${name}.node`);
  return file && existsSync(file) ? file : undefined;
}

/**
 * The prebuilt addon `name` for this platform. Throws an Error naming the file that is missing (or
 * why it failed to load) and what is unavailable without it.
 */
export function loadNative<T>(name: string, feature: string): T {
  const hit = loaded.get(name);
  if (hit) return hit as T;
  const platform = `${process.platform}-${process.arch}`;
  const file = nativeFile(name);
  if (!file)
    throw new Error(
      `${feature} is unavailable on ${platform}: darray ships its native addon '${name}' prebuilt for ` +
        `linux-x64 only (looked for native/prebuilds/${platform}/${name}.node). Build it with ` +
        '`node scripts/build-native.mjs` (needs a C compiler and node-api-headers) or use DArray instead',
    );
  try {
    const mod = createRequire(import.meta.url)(file) as T;
    loaded.set(name, mod);
    return mod;
  } catch (err) {
    throw new Error(`${feature} is unavailable: loading ${file} failed: ${(err as Error).message}`);
  }
}

/** The shared-memory addon (see {@link ShmAddon}). */
export function shmAddon(): ShmAddon {
  return loadNative<ShmAddon>('shm', 'SharedArray');
}

/**
 * Asks the kernel for transparent huge pages on the page-aligned interior of `buffer` (an
 * ArrayBuffer, SharedArrayBuffer or WebAssembly.Memory's buffer). False when the addon is missing
 * on this platform, or the kernel refuses.
 */
export function madviseHugepage(buffer: ArrayBufferLike): boolean {
  let addon: ShmAddon;
  try {
    addon = shmAddon();
  } catch {
    return false;
  }
  return addon.madviseHugepage(buffer);
}
