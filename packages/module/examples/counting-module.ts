// A module written outside bkt: it extends BaseModule by wrapping a Module and counting the samples it
// trains on, and inherits fit, score and predict. The pack test compiles this file with tsc against the
// published .d.ts files and runs it in a project that installed the tarballs.
//   npx tsx examples/counting-module.ts
import { pathToFileURL } from 'node:url';

import * as nd from '@bkt/ndarray';
import {
  BaseModule,
  type BindOptions,
  type DataBatch,
  type DataDesc,
  type DataDescLike,
  type EvalMetric,
  type InitOptimizerOptions,
  type InitParamsOptions,
  Module,
  type MonitorLike,
  NDArrayIter,
  type ParamDict,
  type SparseRowIdFn,
  Xavier,
} from '@bkt/module';
import { Activation, FullyConnected, SoftmaxOutput, type Symbol, Variable } from '@bkt/symbol';

export class CountingModule extends BaseModule {
  readonly inner: Module;
  /** Samples that went through a training backward pass. */
  samplesTrained = 0;

  constructor(symbol: Symbol) {
    super();
    this.inner = new Module(symbol);
    this._symbol = this.inner.symbol;
  }

  get dataNames(): readonly string[] {
    return this.inner.dataNames;
  }
  get outputNames(): readonly string[] {
    return this.inner.outputNames;
  }
  get dataShapes(): readonly DataDesc[] {
    return this.inner.dataShapes;
  }
  get labelShapes(): readonly DataDesc[] | null {
    return this.inner.labelShapes;
  }
  get outputShapes(): readonly [string, readonly number[]][] {
    return this.inner.outputShapes;
  }

  // The state flags are BaseModule's: its loops and state checks read them on this object.
  bind(dataShapes: readonly DataDescLike[], labelShapes: readonly DataDescLike[] | null = null, opts: BindOptions = {}): void {
    this.inner.bind(dataShapes, labelShapes, opts);
    this.binded = true;
    this.forTraining = this.inner.forTraining;
    this.inputsNeedGrad = this.inner.inputsNeedGrad;
  }
  initParams(opts?: InitParamsOptions): void {
    this.requireBound('initParams');
    this.inner.initParams(opts);
    this.paramsInitialized = true;
  }
  getParams(): [ParamDict, ParamDict] {
    return this.inner.getParams();
  }
  initOptimizer(opts?: InitOptimizerOptions): void {
    this.requireParams('initOptimizer');
    this.inner.initOptimizer(opts);
    this.optimizerInitialized = true;
  }

  override prepare(batch: DataBatch, sparseRowIdFn?: SparseRowIdFn | null): void {
    this.inner.prepare(batch, sparseRowIdFn);
  }
  forward(batch: DataBatch, opts?: { isTrain?: boolean }): void {
    this.inner.forward(batch, opts);
  }
  backward(outGrads?: readonly NDArray[]): void {
    this.inner.backward(outGrads);
    this.samplesTrained += this.inner.dataShapes[0]!.shape[0]!;
  }
  update(): void {
    this.inner.update();
  }

  getOutputs(mergeMultiContext?: true): NDArray[];
  getOutputs(mergeMultiContext: false): NDArray[][];
  getOutputs(mergeMultiContext = true): NDArray[] | NDArray[][] {
    return mergeMultiContext ? this.inner.getOutputs() : this.inner.getOutputs(false);
  }
  getInputGrads(mergeMultiContext?: true): NDArray[];
  getInputGrads(mergeMultiContext: false): NDArray[][];
  getInputGrads(mergeMultiContext = true): NDArray[] | NDArray[][] {
    return mergeMultiContext ? this.inner.getInputGrads() : this.inner.getInputGrads(false);
  }
  updateMetric(evalMetric: EvalMetric, labels: readonly NDArray[]): void {
    this.inner.updateMetric(evalMetric, labels);
  }
  installMonitor(mon: MonitorLike): void {
    this.inner.installMonitor(mon);
  }
}

type NDArray = nd.NDArray;

/** Trains a small MLP through CountingModule for `epochs` epochs; returns the samples trained and the accuracy. */
export function trainCountingModule(epochs = 3): { samplesTrained: number; accuracy: number } {
  nd.seed(7);
  let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: 16 });
  net = FullyConnected({ data: Activation({ data: net, actType: 'relu' }), name: 'fc2', numHidden: 2 });
  const x = nd.random.normal(0, 1, [200, 4]);
  const xs = x.toArray();
  const y = nd.array(Array.from({ length: 200 }, (_, i) => (xs[i * 4]! > 0 ? 1 : 0)));
  const train = new NDArrayIter(x, y, { batchSize: 20 });
  const mod = new CountingModule(SoftmaxOutput({ data: net, name: 'softmax' }));
  mod.fit(train, {
    numEpoch: epochs,
    optimizer: 'sgd',
    optimizerParams: { learningRate: 0.5, momentum: 0.9 },
    initializer: new Xavier(),
  });
  const accuracy = mod.score(train, 'acc')[0]![1];
  return { samplesTrained: mod.samplesTrained, accuracy };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(trainCountingModule()));
}
