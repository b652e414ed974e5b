/** Undo log for in-place mutations of maps, sets and object fields: what makes a transaction atomic. */
export class Journal {
  private readonly undo: (() => void)[] = [];

  public mapSet<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (map.has(key)) {
      const old = map.get(key) as V;
      this.undo.push(() => map.set(key, old));
    } else {
      this.undo.push(() => map.delete(key));
    }
    map.set(key, value);
  }

  public mapDelete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const old = map.get(key) as V;
    this.undo.push(() => map.set(key, old));
    map.delete(key);
  }

  public setAdd<V>(set: Set<V>, value: V): void {
    if (set.has(value)) return;
    this.undo.push(() => set.delete(value));
    set.add(value);
  }

  public setDelete<V>(set: Set<V>, value: V): void {
    if (!set.has(value)) return;
    this.undo.push(() => set.add(value));
    set.delete(value);
  }

  public assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): void {
    const old = target[key];
    this.undo.push(() => {
      target[key] = old;
    });
    target[key] = value;
  }

  /** Reverts every recorded mutation, newest first. */
  public rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]();
    this.undo.length = 0;
  }
}
