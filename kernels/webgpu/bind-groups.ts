/**
 * Bind groups kept for reuse. Making one is the dearest call a kernel launch makes (about 40 µs
 * through Dawn's Node bindings on the development VM, against 9 µs for the whole compute pass), and
 * in a loop the same bindings come back: temporaries and results come from the buffer pool, so a
 * step of a power iteration binds the buffers the step before it bound.
 */
import type { Binding } from './backend.js';

/** Bind groups by (layout, bindings), least recently used dropped beyond `max`. */
export class BindGroupCache {
  private readonly groups = new Map<string, { group: GPUBindGroup; buffers: readonly GPUBuffer[] }>();
  private readonly byBuffer = new Map<GPUBuffer, Set<string>>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  /** Bind groups made so far (a reused one is not counted again). */
  made = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly max = 512,
  ) {}

  /** The bind group of `bindings` at binding 0, 1, … of `layout`, made or from the cache. */
  get(layout: GPUBindGroupLayout, bindings: readonly Binding[]): GPUBindGroup {
    let key = `${this.id(layout)}`;
    for (const b of bindings) key += `|${this.id(b.buffer)}:${b.offset ?? 0}:${b.size ?? -1}`;
    const hit = this.groups.get(key);
    if (hit) {
      // Map order is the recency order: a hit moves to the end.
      this.groups.delete(key);
      this.groups.set(key, hit);
      return hit.group;
    }
    const group = this.device.createBindGroup({
      layout,
      entries: bindings.map((b, i) => ({
        binding: i,
        resource: {
          buffer: b.buffer,
          offset: b.offset ?? 0,
          ...(b.size === undefined ? {} : { size: Math.max(b.size, 4) }),
        },
      })),
    });
    this.made++;
    const buffers = bindings.map((b) => b.buffer);
    this.groups.set(key, { group, buffers });
    for (const buf of buffers) {
      let keys = this.byBuffer.get(buf);
      if (!keys) this.byBuffer.set(buf, (keys = new Set()));
      keys.add(key);
    }
    if (this.groups.size > this.max) this.drop(this.groups.keys().next().value as string);
    return group;
  }

  /** Drops every bind group of `buffer`, which is about to be destroyed (a kept one would be invalid). */
  forget(buffer: GPUBuffer): void {
    for (const key of this.byBuffer.get(buffer) ?? []) this.drop(key);
    this.byBuffer.delete(buffer);
  }

  /** Bind groups held now. */
  get size(): number {
    return this.groups.size;
  }

  private drop(key: string): void {
    const entry = this.groups.get(key);
    if (!entry) return;
    this.groups.delete(key);
    for (const buf of entry.buffers) {
      const keys = this.byBuffer.get(buf);
      keys?.delete(key);
      if (keys?.size === 0) this.byBuffer.delete(buf);
    }
  }

  private id(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }
}
