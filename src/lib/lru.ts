// A bounded least-recently-used map: a Map keeps insertion order, so moving an entry to the end on a hit
// (delete + set) and evicting the first key on overflow are both O(1). Used for the key directory's cache,
// where a hit must stay a synchronous Map lookup (src/auth/directory.ts).
export class LruCache<K, V> {
  private map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1) || !Number.isInteger(capacity)) throw new Error(`LRU capacity must be an integer ≥ 1`);
  }

  get size(): number {
    return this.map.size;
  }

  /** the value, now the most recently used */
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v === undefined) return undefined;
    this.map.delete(k);
    this.map.set(k, v);
    return v;
  }

  /** the value, its recency untouched */
  peek(k: K): V | undefined {
    return this.map.get(k);
  }

  has(k: K): boolean {
    return this.map.has(k);
  }

  /** stores `v` as the most recently used, evicting the least recently used entry beyond capacity */
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  /** replaces the value of an entry already held (its recency untouched); false when absent */
  replace(k: K, v: V): boolean {
    if (!this.map.has(k)) return false;
    this.map.set(k, v);
    return true;
  }

  delete(k: K): boolean {
    return this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }
}
