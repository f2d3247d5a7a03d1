// MXNet's Load: parameters copied from a saved dict (a `.params` file or arrays by name; `arg:` and
// `aux:` prefixes are dropped), shapes checked; names not in it go to `defaultInit`, or are a
// ValueError without one.

import { load, type NDArray, ShapeError, ValueError } from '@bkt/ndarray';
import { InitDesc } from './init-desc.js';
import { Initializer } from './initializer.js';

export type ParamSource = string | Readonly<Record<string, NDArray>> | ReadonlyMap<string, NDArray>;

export class Load extends Initializer {
  readonly param: ReadonlyMap<string, NDArray>;
  readonly defaultInit: Initializer | undefined;
  private readonly verboseLoad: boolean;
  private readonly log: (m: string) => void;

  constructor(
    param: ParamSource,
    defaultInit?: Initializer | null,
    verbose = false,
    logger: (m: string) => void = (m) => console.info(m),
  ) {
    super('load');
    let entries: [string, NDArray][];
    if (typeof param === 'string') {
      const loaded = load(param);
      if (Array.isArray(loaded)) throw new ValueError(`Load: '${param}' holds unnamed arrays; parameters need names`);
      entries = Object.entries(loaded as Record<string, NDArray>);
    } else if (param instanceof Map) {
      entries = [...(param as ReadonlyMap<string, NDArray>).entries()];
    } else {
      entries = Object.entries(param as Readonly<Record<string, NDArray>>);
    }
    this.param = new Map(entries.map(([k, v]) => [k.startsWith('arg:') || k.startsWith('aux:') ? k.slice(4) : k, v]));
    this.defaultInit = defaultInit ?? undefined;
    this.verboseLoad = verbose;
    this.log = logger;
  }

  override init(desc: InitDesc | string, arr: NDArray): void {
    const d = typeof desc === 'string' ? new InitDesc(desc) : desc;
    const src = this.param.get(d.name);
    if (src !== undefined) {
      if (src.ndim !== arr.ndim || src.shape.some((x, i) => x !== arr.shape[i])) {
        throw new ShapeError(
          `Load: parameter '${d.name}' cannot be initialized from loading: shape (${arr.shape.join(', ')}) vs loaded (${src.shape.join(', ')})`,
        );
      }
      src.copyTo(arr);
      if (this.verboseLoad) this.log(`Initialized ${d.name} by loading`);
      return;
    }
    if (this.defaultInit === undefined) {
      throw new ValueError(`Load: cannot initialize '${d.name}': not in the loaded parameters and no default initializer given`);
    }
    this.defaultInit.init(d, arr);
    if (this.verboseLoad) this.log(`Initialized ${d.name} by default`);
  }

  initWeight(desc: InitDesc, arr: NDArray): void {
    this.init(desc, arr);
  }
}
