// Plain float64 re-statements of MXNet 1.x's optimizers and schedulers, written from MXNet's documented
// formulas and Python update loops, sharing no code with the package. Each RefOptimizer keeps its own
// counters and states so a test can step it side by side with the real optimizer.

export type Key = number | string;

/** A learning-rate schedule as a plain function of the update count. */
export type Schedule = (numUpdate: number) => number;

export function warmup(begin: number, final: number, steps: number, mode: 'linear' | 'constant'): (n: number) => number {
  return (n) => (mode === 'constant' ? begin : begin + ((final - begin) * n) / steps);
}

export function factorSchedule(o: {
  base: number;
  step: number;
  factor: number;
  stop?: number;
  warmupSteps?: number;
  warmupBegin?: number;
  warmupFinal?: number;
  mode?: 'linear' | 'constant';
}): Schedule {
  const w = warmup(o.warmupBegin ?? 0, o.warmupFinal ?? o.base, o.warmupSteps ?? 0, o.mode ?? 'linear');
  return (n) => {
    if (n < (o.warmupSteps ?? 0)) return w(n);
    const decays = n <= o.step ? 0 : Math.ceil(n / o.step) - 1;
    return Math.max(o.base * o.factor ** decays, o.stop ?? 1e-8);
  };
}

export function multiFactorSchedule(o: { base: number; steps: number[]; factor: number; warmupSteps?: number }): Schedule {
  const w = warmup(0, o.base, o.warmupSteps ?? 0, 'linear');
  return (n) => (n < (o.warmupSteps ?? 0) ? w(n) : o.base * o.factor ** o.steps.filter((s) => n > s).length);
}

export function polySchedule(o: {
  base: number;
  maxUpdate: number;
  pwr: number;
  final: number;
  warmupSteps?: number;
  mode?: 'linear' | 'constant';
  warmupBegin?: number;
}): Schedule {
  const ws = o.warmupSteps ?? 0;
  const w = warmup(o.warmupBegin ?? 0, o.base, ws, o.mode ?? 'linear');
  return (n) => {
    if (n < ws) return w(n);
    const m = Math.min(n, o.maxUpdate);
    return o.final + (o.base - o.final) * (1 - (m - ws) / (o.maxUpdate - ws)) ** o.pwr;
  };
}

export function cosineSchedule(o: {
  base: number;
  maxUpdate: number;
  final: number;
  warmupSteps?: number;
  mode?: 'linear' | 'constant';
  warmupBegin?: number;
}): Schedule {
  const ws = o.warmupSteps ?? 0;
  const w = warmup(o.warmupBegin ?? 0, o.base, ws, o.mode ?? 'linear');
  return (n) => {
    if (n < ws) return w(n);
    const m = Math.min(n, o.maxUpdate);
    return o.final + ((o.base - o.final) * (1 + Math.cos((Math.PI * (m - ws)) / (o.maxUpdate - ws)))) / 2;
  };
}

export interface RefConfig {
  lr: number;
  schedule?: Schedule;
  wd?: number;
  rescale?: number;
  clip?: number | null;
  lrMult?: (key: Key) => number;
  wdMult?: (key: Key) => number;
  /** Optimizer-specific hyper-parameters. */
  hp?: Record<string, number | boolean | null>;
}

const clamp = (x: number, c: number): number => Math.min(c, Math.max(-c, x));
const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

interface Ctx {
  lr: number;
  wd: number;
  t: number;
  rescale: number;
  /** clip as MXNet's fused ops see it (only when truthy). */
  fused: (x: number) => number;
  /** clip as MXNet's Python-written updates apply it (whenever not None). */
  python: (x: number) => number;
  hp: Record<string, number | boolean | null>;
}

type Step = (w: Float64Array, g: Float64Array, s: Float64Array[], c: Ctx, self: RefOptimizer) => void;

const each =
  (f: (w: number, g: number, s: Float64Array[], i: number, c: Ctx) => number): Step =>
  (w, g, s, c) => {
    for (let i = 0; i < w.length; i++) w[i] = f(w[i]!, g[i]!, s, i, c);
  };

const num = (c: Ctx, k: string): number => c.hp[k] as number;

/** [number of state arrays, per-step update]. */
const OPTIMIZERS: Record<string, [(hp: Ctx['hp']) => number, Step]> = {
  sgd: [
    (hp) => (hp.momentum ? 1 : 0),
    each((w, g, s, i, c) => {
      const r = c.fused(c.rescale * g);
      if (s.length === 0) return (1 - c.lr * c.wd) * w - c.lr * r;
      const m = s[0]!;
      m[i] = num(c, 'momentum') * m[i]! - c.wd * w - r;
      return w + c.lr * m[i]!;
    }),
  ],
  nag: [
    (hp) => (hp.momentum ? 1 : 0),
    each((w, g, s, i, c) => {
      const r = c.fused(c.rescale * g);
      if (s.length === 0) return (1 - c.lr * c.wd) * w - c.lr * r;
      const m = s[0]!;
      const t = r + c.wd * w;
      m[i] = num(c, 'momentum') * m[i]! - c.lr * t;
      return w + num(c, 'momentum') * m[i]! - c.lr * t;
    }),
  ],
  adam: [
    () => 2,
    each((w, g, [m, v], i, c) => {
      const b1 = num(c, 'beta1');
      const b2 = num(c, 'beta2');
      const lr = (c.lr * Math.sqrt(1 - b2 ** c.t)) / (1 - b1 ** c.t);
      const r = c.fused(c.rescale * g + c.wd * w);
      m![i] = b1 * m![i]! + (1 - b1) * r;
      v![i] = b2 * v![i]! + (1 - b2) * r * r;
      return w - (lr * m![i]!) / (Math.sqrt(v![i]!) + num(c, 'epsilon'));
    }),
  ],
  adagrad: [
    () => 1,
    each((w, g, [h], i, c) => {
      const r = c.python(c.rescale * g);
      h![i] = h![i]! + r * r;
      return w + (r / Math.sqrt(h![i]! + num(c, 'eps')) + w * c.wd) * -c.lr;
    }),
  ],
  rmsprop: [
    (hp) => (hp.centered ? 3 : 1),
    each((w, g, s, i, c) => {
      const r = c.fused(c.rescale * g + c.wd * w);
      const g1 = num(c, 'gamma1');
      const cw = c.hp.clipWeights ? num(c, 'clipWeights') : Infinity;
      const n = s[0]!;
      n[i] = (1 - g1) * r * r + g1 * n[i]!;
      if (!c.hp.centered) return clamp(w - (c.lr * r) / Math.sqrt(n[i]! + num(c, 'epsilon')), cw);
      const a = s[1]!;
      const d = s[2]!;
      a[i] = (1 - g1) * r + g1 * a[i]!;
      d[i] = num(c, 'gamma2') * d[i]! - (c.lr * r) / Math.sqrt(n[i]! - a[i]! * a[i]! + num(c, 'epsilon'));
      return clamp(w + d[i]!, cw);
    }),
  ],
  adadelta: [
    () => 2,
    each((w, g, [ag, ad], i, c) => {
      const rho = num(c, 'rho');
      const eps = num(c, 'epsilon');
      const r = c.python(c.rescale * g);
      ag![i] = rho * ag![i]! + (1 - rho) * r * r;
      const delta = (Math.sqrt(ad![i]! + eps) / Math.sqrt(ag![i]! + eps)) * r;
      ad![i] = rho * ad![i]! + (1 - rho) * delta * delta;
      return w - (delta + c.wd * w);
    }),
  ],
  adamax: [
    () => 2,
    each((w, g, [m, u], i, c) => {
      const b1 = num(c, 'beta1');
      const lr = c.lr / (1 - b1 ** c.t);
      const r = c.python(c.rescale * g + c.wd * w);
      m![i] = b1 * m![i]! + (1 - b1) * r;
      u![i] = Math.max(num(c, 'beta2') * u![i]!, Math.abs(r));
      return w - (lr * m![i]!) / u![i]!;
    }),
  ],
  nadam: [
    () => 2,
    (w, g, [m, v], c, self) => {
      const b1 = num(c, 'beta1');
      const b2 = num(c, 'beta2');
      const decay = num(c, 'scheduleDecay');
      const mt = b1 * (1 - 0.5 * 0.96 ** (c.t * decay));
      const mt1 = b1 * (1 - 0.5 * 0.96 ** ((c.t + 1) * decay));
      self.mSchedule *= mt;
      const next = self.mSchedule * mt1;
      for (let i = 0; i < w.length; i++) {
        const r = c.python(c.rescale * g[i]! + c.wd * w[i]!);
        m![i] = b1 * m![i]! + (1 - b1) * r;
        v![i] = b2 * v![i]! + (1 - b2) * r * r;
        const mBar = (1 - mt) * (r / (1 - self.mSchedule)) + mt1 * (m![i]! / (1 - next));
        w[i] = w[i]! - (c.lr * mBar) / (Math.sqrt(v![i]! / (1 - b2 ** c.t)) + num(c, 'epsilon'));
      }
    },
  ],
  ftrl: [
    () => 2,
    each((w, g, [z, n], i, c) => {
      const r = c.fused(c.rescale * g);
      z![i] = z![i]! + r - ((Math.sqrt(n![i]! + r * r) - Math.sqrt(n![i]!)) * w) / c.lr;
      n![i] = n![i]! + r * r;
      const l1 = num(c, 'lamda1');
      return Math.abs(z![i]!) > l1 ? (sign(z![i]!) * l1 - z![i]!) / ((num(c, 'beta') + Math.sqrt(n![i]!)) / c.lr + c.wd) : 0;
    }),
  ],
  ftml: [
    () => 3,
    each((w, g, [d, v, z], i, c) => {
      const b1 = num(c, 'beta1');
      const b2 = num(c, 'beta2');
      const r = c.fused(c.rescale * g + c.wd * w);
      v![i] = b2 * v![i]! + (1 - b2) * r * r;
      const dt = ((1 - b1 ** c.t) / c.lr) * (Math.sqrt(v![i]! / (1 - b2 ** c.t)) + num(c, 'epsilon'));
      z![i] = b1 * z![i]! + (1 - b1) * r - (dt - b1 * d![i]!) * w;
      d![i] = dt;
      return -z![i]! / dt;
    }),
  ],
  signum: [
    (hp) => (hp.momentum ? 1 : 0),
    each((w, g, s, i, c) => {
      if (s.length === 0) return (1 - c.lr * c.wd) * w - c.lr * sign(g);
      const mu = num(c, 'momentum');
      const m = s[0]!;
      m[i] = mu * m[i]! - (1 - mu) * (c.wd * w + c.fused(c.rescale * g));
      return (1 - c.lr * num(c, 'wdLh')) * w + c.lr * sign(m[i]!);
    }),
  ],
  lamb: [
    () => 2,
    (w, g, [m, v], c) => {
      const b1 = num(c, 'beta1');
      const b2 = num(c, 'beta2');
      const dir = w.map((wi, i) => {
        const r = c.fused(c.rescale * g[i]!);
        m![i] = b1 * m![i]! + (1 - b1) * r;
        v![i] = b2 * v![i]! + (1 - b2) * r * r;
        const mh = c.hp.biasCorrection ? m![i]! / (1 - b1 ** c.t) : m![i]!;
        const vh = c.hp.biasCorrection ? v![i]! / (1 - b2 ** c.t) : v![i]!;
        return mh / (Math.sqrt(vh) + num(c, 'epsilon')) + c.wd * wi;
      });
      let r1 = Math.sqrt(w.reduce((a, x) => a + x * x, 0));
      const r2 = Math.sqrt(dir.reduce((a, x) => a + x * x, 0));
      if (c.hp.lowerBound) r1 = Math.max(r1, num(c, 'lowerBound'));
      if (c.hp.upperBound) r1 = Math.min(r1, num(c, 'upperBound'));
      const lr = r1 !== 0 && r2 !== 0 ? (c.lr * r1) / r2 : c.lr;
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * dir[i]!;
    },
  ],
};

/** One of MXNet's optimizers in float64, with MXNet's counters, multipliers and clipping rules. */
export class RefOptimizer {
  readonly counts = new Map<Key, number>();
  readonly states = new Map<Key, Float64Array[]>();
  numUpdate = 0;
  mSchedule = 1;

  constructor(
    readonly name: string,
    readonly cfg: RefConfig,
  ) {
    if (!(name in OPTIMIZERS)) throw new Error(`no reference for ${name}`);
  }

  update(key: Key, w: Float64Array, g: Float64Array): void {
    const [nStates, step] = OPTIMIZERS[this.name]!;
    const hp = this.cfg.hp ?? {};
    if (!this.states.has(key))
      this.states.set(
        key,
        Array.from({ length: nStates(hp) }, () => new Float64Array(w.length)),
      );
    const t = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, t);
    this.numUpdate = Math.max(this.numUpdate, t);
    const base = this.cfg.schedule ? this.cfg.schedule(this.numUpdate) : this.cfg.lr;
    const clip = this.cfg.clip ?? null;
    step(
      w,
      g,
      this.states.get(key)!,
      {
        lr: base * (this.cfg.lrMult?.(key) ?? 1),
        wd: (this.cfg.wd ?? 0) * (this.cfg.wdMult?.(key) ?? 1),
        t,
        rescale: this.cfg.rescale ?? 1,
        fused: (x) => (clip ? clamp(x, clip) : x),
        python: (x) => (clip !== null ? clamp(x, clip) : x),
        hp,
      },
      this,
    );
  }
}
