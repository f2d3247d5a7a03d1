import * as nd from '@bkt/ndarray';
import { describe, expect, it } from 'vitest';
import {
  Accuracy,
  CompositeEvalMetric,
  CrossEntropy,
  CustomMetric,
  EvalMetric,
  F1,
  Loss,
  MAE,
  MCC,
  metric,
  MSE,
  NegativeLogLikelihood,
  PearsonCorrelation,
  Perplexity,
  RMSE,
  TopKAccuracy,
} from '../src/index.js';

const a = (x: nd.NestedArray): nd.NDArray => nd.array(x);
const value = (m: EvalMetric): number => m.get()[1] as number;
const globalValue = (m: EvalMetric): number => m.getGlobal()[1] as number;
// MXNet's docstring example batch
const P3 = (): nd.NDArray =>
  a([
    [0.3, 0.7],
    [0, 1],
    [0.4, 0.6],
  ]);
const L3 = (): nd.NDArray => a([0, 1, 1]);

describe('EvalMetric bookkeeping', () => {
  it('keeps local and global statistics (MXNet 1.6+)', () => {
    const acc = new Accuracy();
    expect(Number.isNaN(value(acc))).toBe(true);
    acc.update([L3()], [P3()]); // 2 of 3
    acc.update(
      a([1, 0]),
      a([
        [0, 1],
        [0, 1],
      ]),
    ); // 1 of 2
    expect(value(acc)).toBeCloseTo(3 / 5, 12);
    acc.resetLocal();
    expect(Number.isNaN(value(acc))).toBe(true);
    expect(globalValue(acc)).toBeCloseTo(3 / 5, 12);
    acc.update(a([0]), a([[1, 0]]));
    expect(value(acc)).toBe(1);
    expect(globalValue(acc)).toBeCloseTo(4 / 6, 12);
    expect(acc.getNameValue()).toEqual([['accuracy', 1]]);
    expect(acc.getGlobalNameValue()[0]![1]).toBeCloseTo(4 / 6, 12);
    acc.reset();
    expect(Number.isNaN(globalValue(acc))).toBe(true);
    expect(String(acc)).toBe("EvalMetric: {'accuracy': NaN}");
  });

  it('picks labels and outputs by name in updateDict', () => {
    const acc = new Accuracy({ outputNames: ['out2'], labelNames: ['lbl'] });
    acc.updateDict(
      { other: a([5]), lbl: L3() },
      new Map([
        [
          'out1',
          a([
            [1, 0],
            [1, 0],
            [1, 0],
          ]),
        ],
        ['out2', P3()],
      ]),
    );
    expect(value(acc)).toBeCloseTo(2 / 3, 12);
    expect(() => acc.updateDict({ x: L3() }, { out2: P3() })).toThrow(nd.ValueError);
  });

  it('rejects mismatched label and prediction lists', () => {
    expect(() => new Accuracy().update([L3(), L3()], [P3()])).toThrow(nd.ValueError);
    expect(() => new Accuracy().update(a([0, 1]), P3())).toThrow(nd.ValueError);
  });
});

describe('classification metrics', () => {
  it('Accuracy: argmax over the class axis, or class ids compared directly', () => {
    const acc = new Accuracy();
    acc.update(L3(), P3());
    expect(acc.get()).toEqual(['accuracy', 2 / 3]);
    const direct = new Accuracy();
    direct.update(a([1, 2, 3]), a([1.9, 2.2, 0])); // truncated: 1, 2, 0
    expect(value(direct)).toBeCloseTo(2 / 3, 12);
    const axis0 = new Accuracy({ axis: 0 });
    axis0.update(
      a([1, 0]),
      a([
        [0.1, 0.9],
        [0.9, 0.1],
      ]),
    ); // argmax over rows: [1, 0]
    expect(value(axis0)).toBe(1);
  });

  it('TopKAccuracy: the label among the k best scores', () => {
    const top = new TopKAccuracy({ topK: 2 });
    expect(top.name).toBe('top_k_accuracy_2');
    top.update(
      a([2, 2, 0]),
      a([
        [0.1, 0.5, 0.4],
        [0.6, 0.3, 0.1],
        [0.2, 0.2, 0.6],
      ]),
    );
    expect(value(top)).toBeCloseTo(2 / 3, 12);
    const wide = new TopKAccuracy({ topK: 5 });
    wide.update(
      a([1, 0]),
      a([
        [0.2, 0.8],
        [0.3, 0.7],
      ]),
    ); // k > classes: every label counts
    expect(value(wide)).toBe(1);
    expect(() => new TopKAccuracy({ topK: 1 })).toThrow(nd.ValueError);
  });

  it('F1: 0.8 on the docstring batch; macro averages batches, micro pools examples', () => {
    const f1 = new F1();
    f1.update([L3()], [P3()]);
    expect(value(f1)).toBeCloseTo(0.8, 12);
    const second = (m: EvalMetric): void =>
      m.update(
        a([1, 1]),
        a([
          [0.9, 0.1],
          [0.2, 0.8],
        ]),
      ); // tp 1, fn 1: F1 2/3
    second(f1);
    expect(value(f1)).toBeCloseTo((0.8 + 2 / 3) / 2, 12);
    expect(globalValue(f1)).toBeCloseTo((0.8 + 2 / 3) / 2, 12);
    const micro = new F1({ average: 'micro' });
    micro.update(L3(), P3());
    second(micro);
    expect(value(micro)).toBeCloseTo(0.75, 12); // tp 3, fp 1, fn 1
    micro.resetLocal();
    second(micro);
    expect(value(micro)).toBeCloseTo(2 / 3, 12);
    expect(globalValue(micro)).toBeCloseTo((2 * (4 / 5) * (4 / 6)) / (4 / 5 + 4 / 6), 12); // tp 4, fp 1, fn 2
    expect(() => new F1().update(a([0, 1, 2]), P3())).toThrow(nd.ValueError);
    expect(() => new F1({ average: 'weighted' as 'macro' })).toThrow(nd.ValueError);
  });

  it('MCC: (tp·tn − fp·fn) / sqrt of the non-zero margins', () => {
    const mcc = new MCC();
    // predicted [0, 1, 1, 0], labels [0, 1, 1, 1]: tp 2, fp 0, fn 1, tn 1
    mcc.update(
      a([0, 1, 1, 1]),
      a([
        [0.9, 0.1],
        [0.2, 0.8],
        [0.3, 0.7],
        [0.6, 0.4],
      ]),
    );
    expect(value(mcc)).toBeCloseTo(2 / Math.sqrt(12), 12);
    const zeros = new MCC();
    zeros.update(L3(), P3()); // tn + fn = 0 is left out of the denominator: (0 − 0)/sqrt(6)
    expect(value(zeros)).toBe(0);
  });

  it('Perplexity and CrossEntropy take labels on another context than the predictions (several contexts)', () => {
    const pred = a([
      [0.5, 0.3, 0.2],
      [0.1, 0.1, 0.8],
    ]).copyTo(nd.cpu(1));
    const ppl = new Perplexity(-1);
    ppl.update([a([0, 2])], [pred]);
    expect(value(ppl)).toBeCloseTo(Math.pow(0.5 * 0.8, -1 / 2), 5);
    const ce = new CrossEntropy();
    ce.update([a([0, 2])], [pred]);
    expect(value(ce)).toBeCloseTo(-(Math.log(0.5) + Math.log(0.8)) / 2, 5);
  });

  it('Perplexity with an ignored label (metric.py ignore_label)', () => {
    expect(() => new Perplexity({ ignoreLabel: 0 } as never)).toThrow(/ignoreLabel must be a number/);
    const ppl = new Perplexity(-1);
    const pred = a([
      [0.5, 0.3, 0.2],
      [0.1, 0.1, 0.8],
      [0.3, 0.3, 0.4],
      [0.25, 0.25, 0.5],
    ]);
    ppl.update([a([0, 2, -1, 1])], [pred]);
    expect(value(ppl)).toBeCloseTo(Math.pow(0.5 * 0.8 * 0.25, -1 / 3), 5);
    expect(ppl.numInst).toBe(3);
    // without an ignore label every position counts; -1 is clipped to class 0 by pick
    const all = new Perplexity(null);
    all.update([a([0, 2, -1, 1])], [pred]);
    expect(value(all)).toBeCloseTo(Math.pow(0.5 * 0.8 * 0.3 * 0.25, -1 / 4), 5);
    // probabilities are floored at 1e-10
    const floor = new Perplexity(null);
    floor.update(a([1]), a([[1, 0]]));
    expect(value(floor)).toBeCloseTo(1e10, -2);
    // (N, T, V) predictions with (N, T) labels; global vs local
    const seq = new Perplexity(0);
    seq.update(
      a([
        [1, 0],
        [2, 1],
      ]),
      a([
        [
          [0.1, 0.5, 0.4],
          [0.3, 0.3, 0.4],
        ],
        [
          [0.2, 0.2, 0.6],
          [0.2, 0.2, 0.6],
        ],
      ]),
    );
    expect(value(seq)).toBeCloseTo(Math.pow(0.5 * 0.6 * 0.2, -1 / 3), 5);
    seq.resetLocal();
    expect(Number.isNaN(value(seq))).toBe(true);
    expect(globalValue(seq)).toBeCloseTo(Math.pow(0.5 * 0.6 * 0.2, -1 / 3), 5);
    const none = new Perplexity(0);
    none.update(
      a([0, 0]),
      a([
        [0.5, 0.5],
        [0.5, 0.5],
      ]),
    );
    expect(Number.isNaN(value(none))).toBe(true);
    expect(() => new Perplexity(0).update(a([0, 1, 1]), a([[0.5, 0.5]]))).toThrow(nd.ShapeError);
  });

  it('Perplexity reuses its pick buffer and label views: refilled or new labels give the reference, no arrays per update', () => {
    // (N, T) labels refilled in place every batch, as BucketSentenceIter does, with (N·T, V) predictions
    const rng = (() => {
      let x = 7;
      return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    })();
    const label = nd.zeros([2, 3]);
    const other = nd.zeros([2, 3]);
    const ppl = new Perplexity(0);
    let loss = 0;
    let count = 0;
    const made: number[] = [];
    for (let batch = 0; batch < 6; batch++) {
      const ids = Array.from({ length: 6 }, () => Math.floor(rng() * 4));
      const probs = Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => 0.05 + rng()));
      const target = batch === 3 ? other : label; // one batch on another label array replaces the kept view
      a(ids).reshape([2, 3]).copyTo(target);
      const pred = a(probs);
      ids.forEach((id, k) => {
        if (id === 0) return;
        loss -= Math.log(probs[k]![id]!);
        count += 1;
      });
      const before = nd.memoryStats().totalHandles;
      ppl.update([target], [pred]);
      made.push(nd.memoryStats().totalHandles - before);
    }
    expect(ppl.getGlobal()[1]).toBeCloseTo(Math.exp(loss / count), 5);
    // the first update makes the pick buffer and the view; a change of label array makes one new view
    expect(made).toEqual([2, 0, 0, 1, 1, 0]);
    const again = nd.memoryStats().totalHandles;
    ppl.update([label], [a(Array.from({ length: 6 }, () => [0.25, 0.25, 0.25, 0.25]))]);
    expect(nd.memoryStats().totalHandles - again).toBe(1); // only the prediction array made here
  });
});

describe('regression and loss metrics', () => {
  it('MAE / MSE / RMSE average per-batch errors', () => {
    const mae = new MAE();
    const mse = new MSE();
    const rmse = new RMSE();
    for (const m of [mae, mse, rmse]) {
      m.update(a([1, 2, 3]), a([1.5, 2, 2]));
      m.update(a([[0], [0]]), a([[1], [3]]));
    }
    expect(value(mae)).toBeCloseTo((0.5 + 2) / 2, 6);
    expect(value(mse)).toBeCloseTo((1.25 / 3 + 5) / 2, 6);
    expect(value(rmse)).toBeCloseTo((Math.sqrt(1.25 / 3) + Math.sqrt(5)) / 2, 6);
    expect(mae.numInst).toBe(2);
    // a 1-D label becomes a column and broadcasts against (N, k) predictions
    const b = new MAE();
    b.update(
      a([1, 2]),
      a([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(value(b)).toBeCloseTo((0 + 1 + 1 + 2) / 4, 6); // [[1],[2]] − [[1,2],[3,4]]
    expect(mae.name).toBe('mae');
    expect(rmse.name).toBe('rmse');
  });

  it('CrossEntropy and NegativeLogLikelihood: mean −log p(label)', () => {
    const expected = -(Math.log(0.3 + 1e-12) + Math.log(1 + 1e-12) + Math.log(0.6 + 1e-12)) / 3;
    const ce = new CrossEntropy();
    ce.update(L3(), P3());
    expect(value(ce)).toBeCloseTo(expected, 6);
    expect(ce.name).toBe('cross-entropy');
    const nll = new NegativeLogLikelihood();
    nll.update(L3(), P3());
    expect(value(nll)).toBeCloseTo(expected, 6);
    expect(nll.name).toBe('nll-loss');
    expect(() => new CrossEntropy().update(a([2]), a([[0.5, 0.5]]))).toThrow(nd.IndexError);
    expect(() => new CrossEntropy().update(a([0, 1]), a([[0.5, 0.5]]))).toThrow(nd.ValueError);
  });

  it('PearsonCorrelation: MXNet docstring value; micro equals the pooled coefficient', () => {
    const pr = new PearsonCorrelation();
    pr.update(
      [
        a([
          [1, 0],
          [0, 1],
          [0, 1],
        ]),
      ],
      [P3()],
    );
    expect(value(pr)).toBeCloseTo(0.42163704544016178, 6);
    const micro = new PearsonCorrelation({ average: 'micro' });
    const l1 = [1, 2, 3, 4];
    const p1 = [1.1, 1.9, 3.2, 3.7];
    const l2 = [0.5, 7, -2];
    const p2 = [1, 6.5, -1];
    micro.update(a(l1), a(p1));
    micro.update(a(l2), a(p2));
    const pooled = new PearsonCorrelation();
    pooled.update(a([...l1, ...l2]), a([...p1, ...p2]));
    expect(value(micro)).toBeCloseTo(value(pooled), 10);
    expect(globalValue(micro)).toBeCloseTo(value(pooled), 10);
    micro.reset();
    expect(Number.isNaN(value(micro))).toBe(true);
    expect(() => pr.update(a([1, 2]), a([[1, 2]]))).toThrow(nd.ValueError);
  });

  it('Loss: the mean of the outputs, labels ignored', () => {
    const loss = new Loss();
    loss.update(
      [],
      [
        a([
          [1, 2],
          [3, 4],
        ]),
      ],
    );
    loss.update(null as unknown as nd.NDArray[], a([5]));
    expect(value(loss)).toBeCloseTo(15 / 5, 12);
  });
});

describe('custom, composite and create', () => {
  it('CustomMetric: a value per batch, or [sum, count]', () => {
    function meanAbs(label: metric.HostArray, pred: metric.HostArray): number {
      let s = 0;
      label.data.forEach((v, i) => (s += Math.abs(v - pred.data[i]!)));
      return s / label.data.length;
    }
    const m = new CustomMetric(meanAbs);
    expect(m.name).toBe('meanAbs');
    m.update(a([1, 2]), a([2, 2]));
    m.update(a([0]), a([1]));
    expect(value(m)).toBeCloseTo((0.5 + 1) / 2, 12);
    const counted = new CustomMetric((l) => [l.data.reduce((x, y) => x + y, 0), l.data.length] as const, { name: 'sum' });
    counted.update([a([1, 2, 3])], [a([0, 0, 0])]);
    expect(value(counted)).toBe(2);
    expect(new CustomMetric(((() => 0) as metric.FEval).bind(null)).name).toBe('bound ');
    const extra = new CustomMetric((l, p) => (l.shape[0] === p.shape[0] ? 1 : 0), { name: 'x', allowExtraOutputs: true });
    extra.update([a([1])], [a([1]), a([1, 2])]);
    expect(extra.numInst).toBe(1);
  });

  it('CompositeEvalMetric: names and values of every child (MXNet docstring)', () => {
    const c = new CompositeEvalMetric([new Accuracy(), 'f1']);
    c.update([L3()], [P3()]);
    const [names, values] = c.get() as [string[], number[]];
    expect(names).toEqual(['accuracy', 'f1']);
    expect(values[0]).toBeCloseTo(2 / 3, 12);
    expect(values[1]).toBeCloseTo(0.8, 12);
    expect(c.getNameValue().map(([n]) => n)).toEqual(['accuracy', 'f1']);
    c.resetLocal();
    expect(c.getGlobalNameValue()[0]![1]).toBeCloseTo(2 / 3, 12);
    c.add('mse');
    expect(c.getMetric(2).name).toBe('mse');
    expect(() => c.getMetric(3)).toThrow(nd.IndexError);
    c.reset();
    expect(c.getNameValue().every(([, v]) => Number.isNaN(v))).toBe(true);
    const named = new CompositeEvalMetric(['acc'], { labelNames: ['l'] });
    named.updateDict({ l: L3(), junk: a([9, 9, 9]) }, { out: P3() });
    expect((named.get()[1] as number[])[0]).toBeCloseTo(2 / 3, 12);
  });

  it('create: names and aliases, lists, functions, instances and configs', () => {
    expect(metric.create('acc')).toBeInstanceOf(Accuracy);
    expect(metric.create('Accuracy')).toBeInstanceOf(Accuracy);
    expect(metric.create('ce')).toBeInstanceOf(CrossEntropy);
    expect(metric.create('cross-entropy')).toBeInstanceOf(CrossEntropy);
    expect(metric.create('nll_loss')).toBeInstanceOf(NegativeLogLikelihood);
    expect(metric.create('pearsonr')).toBeInstanceOf(PearsonCorrelation);
    expect(metric.create('top_k_acc', { topK: 3 }).name).toBe('top_k_accuracy_3');
    const ppl = metric.create('perplexity', { ignoreLabel: 0 }) as Perplexity;
    expect(ppl.ignoreLabel).toBe(0);
    const acc = new Accuracy();
    expect(metric.create(acc)).toBe(acc);
    const comp = metric.create(['acc', 'rmse', (l: metric.HostArray) => l.data.length]) as CompositeEvalMetric;
    expect(comp).toBeInstanceOf(CompositeEvalMetric);
    expect(comp.metrics.map((m) => m.constructor.name)).toEqual(['Accuracy', 'RMSE', 'CustomMetric']);
    const again = metric.create(new Perplexity(-1, { axis: 1, name: 'ppl' }).getConfig()) as Perplexity;
    expect([again.constructor.name, again.ignoreLabel, again.axis, again.name]).toEqual(['Perplexity', -1, 1, 'ppl']);
    const top = metric.create(new TopKAccuracy({ topK: 4 }).getConfig());
    expect(top.name).toBe('top_k_accuracy_4');
    const nested = metric.create(new CompositeEvalMetric(['acc', 'mae']).getConfig()) as CompositeEvalMetric;
    expect(nested.metrics.map((m) => m.name)).toEqual(['accuracy', 'mae']);
    expect(() => metric.create('nope')).toThrow(nd.ValueError);
    expect(metric.listMetrics()).toContain('top_k_accuracy');
  });
});
