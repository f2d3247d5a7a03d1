// A JSON writer that lays text out exactly as dmlc-core's JSONWriter (which MXNet's SaveJSON uses):
// a container is either inline or one item per line; in a multi-line container each item starts
// on a new line indented two spaces per open container, items are separated by ", " (so every
// line but the last of a container ends in a space), and the closing bracket goes on its own line.
// Only `\r \n \\ \t "` are escaped in strings; keys are written as given.

interface Scope {
  multiLine: boolean;
  count: number;
}

export class DmlcJsonWriter {
  private readonly out: string[] = [];
  private readonly scopes: Scope[] = [];

  text(): string {
    return this.out.join('');
  }

  private separator(): void {
    const top = this.scopes[this.scopes.length - 1];
    if (!top || top.multiLine) this.out.push('\n', ' '.repeat(this.scopes.length * 2));
  }

  private top(): Scope {
    const s = this.scopes[this.scopes.length - 1];
    if (!s) throw new Error('DmlcJsonWriter: no open container');
    return s;
  }

  beginObject(multiLine = true): void {
    this.out.push('{');
    this.scopes.push({ multiLine, count: 0 });
  }

  endObject(): void {
    const s = this.scopes.pop()!;
    if (s.multiLine && s.count > 0) this.separator();
    this.out.push('}');
  }

  beginArray(multiLine = false): void {
    this.out.push('[');
    this.scopes.push({ multiLine, count: 0 });
  }

  endArray(): void {
    const s = this.scopes.pop()!;
    if (s.multiLine && s.count > 0) this.separator();
    this.out.push(']');
  }

  /** Starts the value of `key` in the open object. */
  key(key: string): void {
    const s = this.top();
    if (s.count > 0) this.out.push(', ');
    this.separator();
    this.out.push(`"${key}": `);
    s.count += 1;
  }

  /** Starts the next item of the open array. */
  item(): void {
    const s = this.top();
    if (s.count > 0) this.out.push(', ');
    s.count += 1;
    this.separator();
  }

  string(s: string): void {
    let esc = '';
    for (const ch of s) {
      switch (ch) {
        case '\r':
          esc += '\\r';
          break;
        case '\n':
          esc += '\\n';
          break;
        case '\\':
          esc += '\\\\';
          break;
        case '\t':
          esc += '\\t';
          break;
        case '"':
          esc += '\\"';
          break;
        default:
          esc += ch;
      }
    }
    this.out.push(`"${esc}"`);
  }

  number(n: number): void {
    this.out.push(String(n));
  }

  /** A std::vector of numbers: inline up to 10 items, one per line beyond. */
  numberArray(values: readonly number[]): void {
    this.beginArray(values.length > 10);
    for (const v of values) {
      this.item();
      this.number(v);
    }
    this.endArray();
  }

  /** A std::map<string, string>: inline with at most one entry, keys in byte order. */
  stringMap(map: Readonly<Record<string, string>>): void {
    const keys = Object.keys(map).sort(byteOrder);
    this.beginObject(keys.length > 1);
    for (const k of keys) {
      this.key(k);
      this.string(map[k]!);
    }
    this.endObject();
  }
}

/** std::string ordering (bytewise on UTF-8), which std::map uses for the sorted attribute dicts. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
