// A table of operator mappings by operator name, as the export and import registries keep them.

export class MappingRegistry<T> {
  private readonly entries = new Map<string, T>();

  register(names: string | readonly string[], mapping: T): void {
    for (const name of typeof names === 'string' ? [names] : names) this.entries.set(name, mapping);
  }

  find(name: string): T | undefined {
    return this.entries.get(name);
  }

  /** The names with a mapping, sorted. */
  list(): string[] {
    return [...this.entries.keys()].sort();
  }
}
