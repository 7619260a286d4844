/**
 * Generated WGSL kept by a key of what it was made from: printing a kernel (and hashing the new
 * string for the pipeline cache) costs more than dispatching a small one, and power loops issue the
 * same few kernels every iteration.
 */
const sources = new Map<string, string>();

/** The source for `key`, made by `make` the first time. */
export function cachedSource(key: string, make: () => string): string {
  let src = sources.get(key);
  if (src === undefined) sources.set(key, (src = make()));
  return src;
}
