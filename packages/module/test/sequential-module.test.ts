// SequentialModule: a chain of two Modules trains exactly like one Module over the combined symbol.
import * as nd from '@bkt/ndarray';
import { Activation, FullyConnected, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';
import { describe, expect, it } from 'vitest';
import { Accuracy, DataBatch, Module, Monitor, NDArrayIter, type ParamDict, SequentialModule, Uniform } from '../src/index.js';

const quiet = (): void => {};

const lower = (): Symbol =>
  Activation({ data: FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 8 }), name: 'relu1', actType: 'relu' });
const upper = (input: Symbol): Symbol =>
  SoftmaxOutput({ data: FullyConnected({ data: input, name: 'fc2', numHidden: 2 }), name: 'softmax' });

function dataset(n: number): { x: nd.NDArray; y: nd.NDArray } {
  nd.seed(3);
  const x = nd.random.normal(0, 1, [n, 4]);
  const xs = x.toArray();
  const y = Array.from({ length: n }, (_, i) => (xs[i * 4]! - xs[i * 4 + 2]! > 0 ? 1 : 0));
  return { x, y: nd.array(y) };
}

function initialParams(): ParamDict {
  const mod = new Module(upper(lower()), { logger: quiet });
  mod.bind([['data', [10, 4]]], [['softmax_label', [10]]]);
  nd.seed(5);
  mod.initParams({ initializer: new Uniform(0.5) });
  const [arg] = mod.getParams();
  return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, v.copy()]));
}

function chain(context: nd.Context[], autoWiring: boolean): SequentialModule {
  const second = autoWiring ? upper(Variable('data')) : upper(Variable('relu1_output'));
  return new SequentialModule({ logger: quiet })
    .add(new Module(lower(), { labelNames: null, context, logger: quiet }))
    .add(new Module(second, { dataNames: [autoWiring ? 'data' : 'relu1_output'], context, logger: quiet }), {
      takeLabels: true,
      autoWiring,
    });
}

const maxDiff = (a: nd.NDArray, b: nd.NDArray): number => {
  const p = a.toArray();
  const q = b.toArray();
  expect(a.shape).toEqual(b.shape);
  return Math.max(...p.map((v, i) => Math.abs(v - q[i]!)));
};

describe('SequentialModule', () => {
  for (const [label, context, autoWiring] of [
    ['one context, autoWiring', [nd.cpu(0)], true],
    ['two contexts, output names', [nd.cpu(0), nd.cpu(1)], false],
  ] as const) {
    it(`fit gives the parameters and metric of one Module over the combined symbol (${label})`, () => {
      const { x, y } = dataset(40);
      const argParams = initialParams();
      const opts = {
        numEpoch: 3,
        optimizer: 'sgd',
        optimizerParams: { learningRate: 0.2, momentum: 0.9, wd: 0.001 },
        argParams,
        initializer: null,
      };
      const whole = new Module(upper(lower()), { context: [...context], logger: quiet });
      const wholeMetric = new Accuracy();
      whole.fit(new NDArrayIter(x, y, { batchSize: 10 }), { ...opts, evalMetric: wholeMetric });
      const seq = chain([...context], autoWiring);
      const seqMetric = new Accuracy();
      seq.fit(new NDArrayIter(x, y, { batchSize: 10 }), { ...opts, evalMetric: seqMetric });

      const [want] = whole.getParams();
      const [got] = seq.getParams();
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const name of Object.keys(want)) {
        expect(maxDiff(got[name]!, argParams[name]!)).toBeGreaterThan(1e-3);
        expect(maxDiff(got[name]!, want[name]!)).toBeLessThan(1e-5);
      }
      expect(seqMetric.getNameValue()).toEqual(wholeMetric.getNameValue());
      const p1 = whole.predict(new NDArrayIter(x, null, { batchSize: 10 })) as nd.NDArray;
      const p2 = seq.predict(new NDArrayIter(x, null, { batchSize: 10 })) as nd.NDArray;
      expect(maxDiff(p1, p2)).toBeLessThan(1e-5);
      expect(seq.outputShapes).toEqual([['softmax_output', [10, 2]]]);
      expect(seq.dataNames).toEqual(['data']);
      expect(seq.labelShapes!.map((d) => d.name)).toEqual(['softmax_label']);
    });
  }

  it("passes gradients back through the chain: input gradients equal the combined module's", () => {
    const { x, y } = dataset(10);
    const argParams = initialParams();
    const whole = new Module(upper(lower()), { logger: quiet });
    whole.bind([['data', [10, 4]]], [['softmax_label', [10]]], { inputsNeedGrad: true });
    whole.initParams({ initializer: null, argParams });
    const seq = chain([nd.cpu(0)], true);
    seq.bind([['data', [10, 4]]], [['softmax_label', [10]]], { inputsNeedGrad: true });
    seq.initParams({ initializer: null, argParams });
    const batch = new DataBatch([x], [y]);
    whole.forwardBackward(batch);
    seq.forwardBackward(batch);
    expect(maxDiff(seq.getInputGrads()[0]!, whole.getInputGrads()[0]!)).toBeLessThan(1e-6);
    expect(Math.max(...seq.getInputGrads()[0]!.toArray().map(Math.abs))).toBeGreaterThan(0);
    expect(seq.getOutputs(false)[0]!.length).toBe(1);
  });

  it('installs a monitor on every module', () => {
    const seq = chain([nd.cpu(0)], true);
    seq.bind([['data', [2, 4]]], [['softmax_label', [2]]]);
    seq.initParams();
    const mon = new Monitor(1, { pattern: '.*_output$' });
    seq.installMonitor(mon);
    mon.tic();
    seq.forward(new DataBatch([nd.ones([2, 4])], [nd.zeros([2])]), { isTrain: false });
    expect(mon.toc().map(([, n]) => n)).toEqual(['fc1_output', 'relu1_output', 'fc2_output', 'softmax_output']);
  });

  it('raises typed errors for misuse', () => {
    const empty = new SequentialModule({ logger: quiet });
    expect(() => empty.bind([['data', [2, 4]]])).toThrow(nd.StateError);
    expect(() => empty.add(new Module(lower(), { labelNames: null }), { takeLabel: true } as never)).toThrow(
      /unknown meta takeLabel/,
    );

    const seq = chain([nd.cpu(0)], true);
    const batch = new DataBatch([nd.ones([2, 4])], [nd.zeros([2])]);
    expect(() => seq.forward(batch)).toThrow(/not bound/);
    expect(() => seq.bind([['data', [2, 4]]], null, { sharedModule: seq })).toThrow(nd.ValueError);
    expect(() => seq.bind([['data', [2, 4]]], null, { forTraining: false, inputsNeedGrad: true })).toThrow(nd.ValueError);
    seq.bind([['data', [2, 4]]], [['softmax_label', [2]]]);
    expect(() => seq.forward(batch)).toThrow(/not initialized/);
    expect(() => seq.initParams({ argParams: { ...initialParams(), fc3_weight: nd.zeros([1]) } })).toThrow(/fc3_weight/);
    expect(seq.paramsInitialized).toBe(false);
    seq.initParams({ argParams: { ...initialParams(), fc3_weight: nd.zeros([1]) }, allowExtra: true });
    expect(() => seq.update()).toThrow(/optimizer is not initialized/);
    expect(() => seq.getInputGrads()).toThrow(/inputsNeedGrad/);

    // Adding a module resets the chain to unbound.
    seq.add(
      new Module(Activation({ data: Variable('data'), name: 'act', actType: 'tanh' }), { labelNames: null, logger: quiet }),
      { autoWiring: true },
    );
    expect(seq.binded).toBe(false);
    expect(() => seq.dataShapes).toThrow(nd.StateError);

    const twice = new SequentialModule({ logger: quiet })
      .add(new Module(lower(), { labelNames: null, logger: quiet }))
      .add(new Module(Variable('a').add(Variable('b')), { dataNames: ['a', 'b'], labelNames: null, logger: quiet }), {
        autoWiring: true,
      });
    expect(() => twice.bind([['data', [2, 4]]])).toThrow(/autoWiring needs as many inputs/);
    const dup = new SequentialModule({ logger: quiet })
      .add(new Module(lower(), { labelNames: null, logger: quiet }))
      .add(
        new Module(FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 8 }), { labelNames: null, logger: quiet }),
        { autoWiring: true },
      );
    dup.bind([['data', [2, 8]]]);
    expect(() => dup.initParams()).toThrow(/duplicated parameter name 'fc1_weight'/);
  });
});
