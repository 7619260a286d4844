/**
 * The manual's DictChannel: a dictionary with the channel verbs, each taking a key — put(k, v),
 * take(k) (waits for the key), fetch(k), isReady(k) — the verbs a RemoteChannel forwards.
 */
export function makeDictChannel() {
  const d = new Map<string, unknown>();
  const waiting: (() => void)[] = [];
  return {
    put(k: string, v: unknown) {
      d.set(k, v);
      for (const w of waiting.splice(0)) w();
    },
    async take(k: string) {
      while (!d.has(k)) await new Promise<void>((r) => waiting.push(r));
      const v = d.get(k);
      d.delete(k);
      return v;
    },
    fetch(k: string) {
      return d.get(k);
    },
    isReady(k: string) {
      return d.has(k);
    },
  };
}
