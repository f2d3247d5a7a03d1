import {
  BindError,
  cpu,
  fromTypedArray,
  type KernelName,
  memoryStats,
  type NDArray,
  random,
  seed,
  ShapeError,
  StateError,
  zeros,
} from '@bkt/ndarray';
import {
  Activation,
  AttrSchema,
  BatchNorm,
  createSymbol,
  defineOp,
  Embedding,
  findOp,
  FullyConnected,
  registerOp,
  RNN,
  SliceChannel,
  SoftmaxOutput,
  type Symbol,
  Variable,
} from '@bkt/symbol';
import { describe, expect, it } from 'vitest';

import { checkNumericGradient, Executor, GradientCheckError } from '../src/index.js';

function mlp(hidden = 5, classes = 3): Symbol {
  let net = FullyConnected({ data: Variable('data'), name: 'fc1', numHidden: hidden });
  net = Activation({ data: net, name: 'act1', actType: 'tanh' });
  net = FullyConnected({ data: net, name: 'fc2', numHidden: classes });
  return SoftmaxOutput({ data: net, name: 'softmax' });
}

const f64 = (a: NDArray): Float64Array => Float64Array.from(a.toArray());

function randomArgs(exec: Executor, labelClasses = 3): void {
  for (const [name, arr] of Object.entries(exec.argDict)) {
    const values = name.endsWith('label')
      ? random.randint(0, labelClasses, arr.shape, { dtype: 'int32' }).astype(arr.dtype)
      : random.uniform(-1, 1, arr.shape, { dtype: arr.dtype });
    values.copyTo(arr);
    values.dispose();
  }
}

// Plain float64 forward of the MLP, and the cross-entropy loss its softmax output minimises.
function referenceForward(args: Record<string, Float64Array>, n: number, d: number, h: number, c: number): Float64Array {
  const fc = (x: Float64Array, w: Float64Array, b: Float64Array, rows: number, k: number, m: number): Float64Array => {
    const out = new Float64Array(rows * m);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) {
        let s = b[j]!;
        for (let i = 0; i < k; i++) s += x[r * k + i]! * w[j * k + i]!;
        out[r * m + j] = s;
      }
    }
    return out;
  };
  const hid = fc(args.data!, args.fc1_weight!, args.fc1_bias!, n, d, h).map(Math.tanh);
  const logits = fc(hid, args.fc2_weight!, args.fc2_bias!, n, h, c);
  for (let r = 0; r < n; r++) {
    const row = logits.subarray(r * c, (r + 1) * c);
    const mx = Math.max(...row);
    const e = row.map((v) => Math.exp(v - mx));
    const s = e.reduce((p, v) => p + v, 0);
    row.set(e.map((v) => v / s));
  }
  return logits;
}

describe('Executor', () => {
  it('binds an MLP, infers every shape from the data, and runs forward like a float64 reference', () => {
    seed(1);
    const exec = Executor.simpleBind(mlp(), { shapes: { data: [4, 6] }, dtypes: { data: 'float64' } });
    expect(Object.fromEntries(Object.entries(exec.argDict).map(([k, v]) => [k, v.shape]))).toEqual({
      data: [4, 6],
      fc1_weight: [5, 6],
      fc1_bias: [5],
      fc2_weight: [3, 5],
      fc2_bias: [3],
      softmax_label: [4],
    });
    randomArgs(exec);
    const [out] = exec.forward();
    const args = Object.fromEntries(Object.entries(exec.argDict).map(([k, v]) => [k, f64(v)]));
    const want = referenceForward(args, 4, 6, 5, 3);
    f64(out!).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    exec.dispose();
  });

  for (const gradReq of ['write', 'add'] as const) {
    it(`backward with onGradientsReady (grad_req '${gradReq}'): each gradient reported once, last layer first, already final`, () => {
      const bindOne = (): Executor => {
        seed(3);
        const e = Executor.simpleBind(mlp(), { shapes: { data: [4, 6] }, dtypes: { data: 'float64' }, gradReq });
        randomArgs(e);
        return e;
      };
      const plain = bindOne();
      const hooked = bindOne();
      const seen: { name: string; value: number[] }[] = [];
      for (let pass = 0; pass < 2; pass++) {
        seen.length = 0;
        plain.forward({ isTrain: true });
        plain.backward();
        hooked.forward({ isTrain: true });
        hooked.backward(undefined, {
          onGradientsReady: (names) =>
            names.forEach((name) => seen.push({ name, value: Array.from(hooked.gradDict[name]!.toArray()) })),
        });
      }
      expect(seen.map((s) => s.name).sort()).toEqual([
        'data',
        'fc1_bias',
        'fc1_weight',
        'fc2_bias',
        'fc2_weight',
        'softmax_label',
      ]);
      const at = (name: string): number => seen.findIndex((s) => s.name === name);
      if (gradReq === 'write') expect(at('fc2_weight')).toBeLessThan(at('fc1_weight'));
      for (const { name, value } of seen) {
        // what the callback saw is the final gradient, equal to a backward without the callback
        expect(value, name).toEqual(Array.from(hooked.gradDict[name]!.toArray()));
        expect(value, name).toEqual(Array.from(plain.gradDict[name]!.toArray()));
      }
      plain.dispose();
      hooked.dispose();
    });
  }

  it("gives SoftmaxOutput's gradient: finite differences of the cross-entropy it minimises", () => {
    seed(2);
    const exec = Executor.simpleBind(mlp(), { shapes: { data: [4, 6] }, dtypes: { data: 'float64' } });
    randomArgs(exec);
    exec.forward({ isTrain: true });
    exec.backward();
    const args = Object.fromEntries(Object.entries(exec.argDict).map(([k, v]) => [k, f64(v)]));
    const labels = args.softmax_label!;
    const loss = (): number => {
      const p = referenceForward(args, 4, 6, 5, 3);
      let l = 0;
      for (let r = 0; r < 4; r++) l -= Math.log(p[r * 3 + labels[r]!]!);
      return l;
    };
    for (const name of ['fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias', 'data']) {
      const got = f64(exec.gradDict[name]!);
      const x = args[name]!;
      for (let i = 0; i < x.length; i++) {
        const orig = x[i]!;
        x[i] = orig + 1e-6;
        const up = loss();
        x[i] = orig - 1e-6;
        const down = loss();
        x[i] = orig;
        expect(got[i]).toBeCloseTo((up - down) / 2e-6, 6);
      }
    }
    exec.dispose();
  });

  it('passes checkNumericGradient for FullyConnected and every activation, and the check can fail', () => {
    seed(3);
    for (const actType of ['relu', 'sigmoid', 'tanh', 'softrelu', 'softsign'] as const) {
      const net = Activation({ data: FullyConnected({ data: Variable('x'), name: 'fc', numHidden: 4 }), actType });
      const location = {
        x: random.uniform(-1, 1, [3, 5], { dtype: 'float64' }),
        fc_weight: random.uniform(-1, 1, [4, 5], { dtype: 'float64' }),
        fc_bias: random.uniform(-1, 1, [4], { dtype: 'float64' }),
      };
      checkNumericGradient(net, location, { rtol: 1e-5, atol: 1e-8 });
    }
    // The same check rejects a wrong gradient: SoftmaxOutput's is not the derivative of its output.
    const loss = SoftmaxOutput({ data: Variable('x'), name: 'sm' });
    expect(() =>
      checkNumericGradient(loss, { x: random.uniform(-1, 1, [2, 3]), sm_label: zeros([2]) }, { noGrad: ['sm_label'] }),
    ).toThrow(GradientCheckError);
  });

  it('passes checkNumericGradient through Embedding, duplicate indices included', () => {
    seed(6);
    const net = FullyConnected({
      data: Embedding({ data: Variable('data'), name: 'embed', inputDim: 5, outputDim: 3 }),
      name: 'fc',
      numHidden: 2,
      flatten: false,
    });
    const location = {
      data: fromTypedArray(new Float64Array([0, 3, 3, 4, 1, 3]), [2, 3]),
      embed_weight: random.uniform(-1, 1, [5, 3], { dtype: 'float64' }),
      fc_weight: random.uniform(-1, 1, [2, 3], { dtype: 'float64' }),
      fc_bias: random.uniform(-1, 1, [2], { dtype: 'float64' }),
    };
    checkNumericGradient(net, location, { noGrad: ['data'] });
  });

  it.each(['lstm', 'gru', 'rnn_tanh'] as const)(
    'passes checkNumericGradient through the fused RNN op (%s, 2 layers, bidirectional)',
    (mode) => {
      seed(7);
      const lstm = mode === 'lstm';
      const net = RNN({
        data: Variable('x'),
        name: 'rnn',
        mode,
        stateSize: 3,
        numLayers: 2,
        bidirectional: true,
        stateOutputs: true,
      });
      const shapes = net.inferShape({ x: [4, 2, 3] }).argShapes;
      const location = Object.fromEntries(
        net.listArguments().map((n, i) => [n, random.uniform(-0.5, 0.5, shapes[i]!, { dtype: 'float64' })]),
      );
      expect(Object.keys(location)).toEqual(['x', 'rnn_parameters', 'rnn_state', ...(lstm ? ['rnn_state_cell'] : [])]);
      checkNumericGradient(net, location, { rtol: 1e-5, atol: 1e-8 });
    },
  );

  it.each([
    [{ projectionSize: 2 }, /projectionSize=2/],
    [{ lstmStateClipMin: -1, lstmStateClipMax: 1 }, /lstmStateClipMin=-1, lstmStateClipMax=1/],
    [{ useSequenceLength: true }, /useSequenceLength=true/],
    [{ p: 0.3 }, /p=0.3 \(dropout between layers\)/],
  ])('refuses at bind the fused RNN attributes its kernel does not implement (%o)', (extra, message) => {
    const net = RNN({ data: Variable('x'), name: 'rnn', mode: 'lstm', stateSize: 3, numLayers: 2, ...extra });
    const shapes: Record<string, number[]> = { x: [4, 2, 3] };
    if ('useSequenceLength' in extra) shapes.rnn_sequence_length = [2];
    expect(() => Executor.simpleBind(net, { shapes, gradReq: 'null' })).toThrow(BindError);
    expect(() => Executor.simpleBind(net, { shapes, gradReq: 'null' })).toThrow(
      new RegExp(`RNN 'rnn'.*does not support .*${message.source}`),
    );
  });

  it("accumulates with gradReq 'add' and leaves 'null' arguments without a gradient", () => {
    seed(4);
    const exec = Executor.simpleBind(mlp(), {
      shapes: { data: [2, 6] },
      gradReq: { fc1_weight: 'add', fc2_weight: 'write', fc1_bias: 'null' },
    });
    randomArgs(exec);
    expect(exec.gradDict.fc1_bias).toBeUndefined();
    exec.forward({ isTrain: true });
    exec.backward();
    const once = f64(exec.gradDict.fc1_weight!);
    const w2 = f64(exec.gradDict.fc2_weight!);
    exec.forward({ isTrain: true });
    exec.backward();
    f64(exec.gradDict.fc1_weight!).forEach((v, i) => expect(v).toBeCloseTo(2 * once[i]!, 5));
    f64(exec.gradDict.fc2_weight!).forEach((v, i) => expect(v).toBeCloseTo(w2[i]!, 6));
    exec.dispose();
  });

  it('shares parameters, gradients and the arena with sharedExec, and then allocates nothing', () => {
    seed(5);
    const big = Executor.simpleBind(mlp(64, 10), { shapes: { data: [32, 20] } });
    const small = Executor.simpleBind(mlp(64, 10), { shapes: { data: [8, 20] }, sharedExec: big });
    randomArgs(big, 10);
    randomArgs(small, 10);
    expect(small.argDict.fc1_weight).toBe(big.argDict.fc1_weight);
    expect(small.gradDict.fc2_weight).toBe(big.gradDict.fc2_weight);
    expect(small.argDict.data).not.toBe(big.argDict.data);
    expect(small.arenaBytes).toBe(big.arenaBytes);
    const before = memoryStats();
    for (let i = 0; i < 100; i++) {
      const e = i % 2 === 0 ? big : small;
      e.forward({ isTrain: true });
      e.backward();
    }
    const after = memoryStats();
    expect(after.totalAllocations).toBe(before.totalAllocations);
    expect(after.liveHandles).toBe(before.liveHandles);
    small.dispose();
    big.dispose();
  });

  it('shares a parameter the first executor lacks among later ones, and keeps shared arrays alive past their creator', () => {
    const withExtra = (): Symbol => {
      const extra = FullyConnected({ data: Variable('data'), name: 'extra', numHidden: 20 });
      return SoftmaxOutput({ data: FullyConnected({ data: extra, name: 'fc2', numHidden: 10 }), name: 'softmax' });
    };
    const plain = (): Symbol =>
      SoftmaxOutput({ data: FullyConnected({ data: Variable('data'), name: 'fc2', numHidden: 10 }), name: 'softmax' });
    const base = Executor.simpleBind(plain(), { shapes: { data: [4, 20] } });
    const first = Executor.simpleBind(withExtra(), { shapes: { data: [4, 20] }, sharedExec: base });
    const second = Executor.simpleBind(withExtra(), { shapes: { data: [2, 20] }, sharedExec: base });
    expect(second.argDict.extra_weight).toBe(first.argDict.extra_weight);
    expect(second.gradDict.extra_weight).toBe(first.gradDict.extra_weight);
    expect(first.argDict.fc2_weight).toBe(base.argDict.fc2_weight);
    first.argDict.extra_weight!.fill(0.5);
    first.dispose();
    expect(second.argDict.extra_weight!.isDisposed).toBe(false);
    expect(f64(second.argDict.extra_weight!).every((v) => v === 0.5)).toBe(true);
    randomArgs(second, 10);
    expect(() => second.forward({ isTrain: true })).not.toThrow();
    second.dispose();
    base.dispose();
    expect(second.argDict.extra_weight!.isDisposed).toBe(true);
  });

  it('grows the shared arena once when a larger executor joins', () => {
    const small = Executor.simpleBind(mlp(16, 4), { shapes: { data: [2, 8] } });
    const before = small.arenaBytes;
    const big = Executor.simpleBind(mlp(16, 4), { shapes: { data: [64, 8] }, sharedExec: small });
    expect(big.arenaBytes).toBeGreaterThan(before);
    expect(small.arenaBytes).toBe(big.arenaBytes);
    randomArgs(small, 4);
    expect(() => small.forward({ isTrain: true })).not.toThrow();
    big.dispose();
    small.dispose();
  });

  it('re-points every executor sharing the arena each time a larger one grows it', () => {
    // FinalizationRegistry callbacks run between tasks, never inside this synchronous body, so the
    // live-byte counts below move only with what the test binds and disposes.
    const bindAll = (batches: readonly number[]): Executor[] => {
      const execs: Executor[] = [];
      for (const n of batches)
        execs.push(Executor.simpleBind(mlp(16, 4), { shapes: { data: [n, 8] }, ...(execs[0] ? { sharedExec: execs[0] } : {}) }));
      return execs;
    };
    const disposeAll = (execs: readonly Executor[]): void => [...execs].reverse().forEach((e) => e.dispose());
    const base = memoryStats().liveBytes;
    // Largest first: the arena never grows, so nothing but the current one can be alive.
    const down = bindAll([64, 16, 2]);
    const oneArena = memoryStats().liveBytes - base;
    disposeAll(down);
    const up = bindAll([2, 16, 64]);
    expect(up[0]!.arenaBytes).toBe(up[2]!.arenaBytes);
    // An executor still holding views of an arena it outgrew would keep that arena's bytes alive. Only
    // the inputs differ: largest first, the smaller data arrays (and their gradients) view the front
    // of the largest; smallest first, each larger one is new and the smaller stay with their executors.
    const outgrownInputs = 2 * (2 + 16) * 8 * 4;
    expect(memoryStats().liveBytes - base).toBe(oneArena + outgrownInputs);
    seed(11);
    for (const e of up) randomArgs(e, 4);
    // The smaller executors run after the larger ones bound, each in turn, and match the reference.
    for (const e of up) {
      const args = Object.fromEntries(Object.entries(e.argDict).map(([n, a]) => [n, f64(a)]));
      const want = referenceForward(args, e.argDict.data!.shape[0]!, 8, 16, 4);
      f64(e.forward({ isTrain: true })[0]!).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    }
    disposeAll(up);
  });

  it('plans intermediates into an arena smaller than their sum, and says so in debugStr', () => {
    let net: Symbol = Variable('data');
    for (let i = 0; i < 6; i++)
      net = Activation({ data: FullyConnected({ data: net, name: `fc${i}`, numHidden: 32 }), name: `a${i}`, actType: 'relu' });
    const exec = Executor.simpleBind(SoftmaxOutput({ data: net, name: 'sm' }), { shapes: { data: [16, 32] }, gradReq: 'null' });
    const text = exec.debugStr();
    expect(text).toContain('fully_connected');
    const m = /arena: (\d+) bytes planned for \d+ intermediates and outputs of (\d+) bytes/.exec(text)!;
    expect(Number(m[1])).toBeLessThan(Number(m[2]));
    exec.dispose();
  });

  it('raises typed errors for bad bindings and calls out of order', () => {
    const net = mlp();
    expect(() => Executor.bind(net, { args: { data: zeros([2, 6]) } })).toThrow(BindError);
    const exec = Executor.simpleBind(net, { shapes: { data: [2, 6] } });
    expect(() => exec.backward()).toThrow(StateError);
    const args = { ...exec.argDict, fc1_weight: zeros([5, 7]) };
    expect(() => Executor.bind(net, { args })).toThrow(ShapeError);
    exec.dispose();
    expect(() => exec.forward()).toThrow(StateError);
    // An operator whose kernel the addon does not have cannot be bound (the type rules it out; an
    // OpDef written in plain JS can still name any kernel).
    const noKernel = defineOp({
      name: '_test_no_kernel',
      attrs: new AttrSchema({}),
      inputNames: () => ['data'],
      inferShape: (ctx) => ctx.setOutput(0, ctx.inputs[0]!),
      inferType: (ctx) => ctx.setOutput(0, ctx.inputs[0]!),
      kernels: { forward: 'no_such_kernel' as KernelName },
    });
    if (!findOp(noKernel.name)) registerOp(noKernel);
    const lacking = createSymbol(noKernel, noKernel.name, { data: Variable('a') });
    expect(() => Executor.simpleBind(lacking, { shapes: { a: [2, 3] }, gradReq: 'null' })).toThrow(
      /needs kernel 'no_such_kernel'/,
    );
    expect(() => Executor.simpleBind(lacking, { shapes: { a: [2, 3] }, gradReq: 'null' })).toThrow(BindError);
  });

  it("feeds forward arguments by name and reports each node to a monitor under MXNet's output names", () => {
    const exec = Executor.simpleBind(mlp(), { shapes: { data: [1, 6] }, gradReq: 'null' });
    const seen: string[] = [];
    exec.setMonitorCallback((name) => seen.push(name));
    exec.forward({ data: fromTypedArray(new Float32Array(6).fill(1), [1, 6]) });
    expect(seen).toEqual(['fc1_output', 'act1_output', 'fc2_output', 'softmax_output']);
    expect(f64(exec.argDict.data!)).toEqual(new Float64Array(6).fill(1));
    exec.dispose();
  });

  it('monitorAll reports inputs (variables also by their own name) and backward nodes, not gradient copies', () => {
    const exec = Executor.simpleBind(mlp(), {
      shapes: { data: [1, 6] },
      gradReq: { fc1_weight: 'write', fc2_weight: 'add', fc2_bias: 'write' },
    });
    const seen: [string, readonly number[]][] = [];
    exec.setMonitorCallback((name, a) => seen.push([name, a.shape]), true);
    exec.forward({ isTrain: true, data: fromTypedArray(new Float32Array(6).fill(1), [1, 6]) });
    exec.backward();
    const names = seen.map(([n]) => n);
    expect(names).toEqual([
      'data',
      'fc1_data',
      'fc1_weight',
      'fc1_weight',
      'fc1_bias',
      'fc1_bias',
      'fc1_output',
      'act1_data',
      'act1_output',
      'fc2_data',
      'fc2_weight',
      'fc2_weight',
      'fc2_bias',
      'fc2_bias',
      'fc2_output',
      'softmax_data',
      'softmax_label',
      'softmax_label',
      'softmax_output',
      'softmax_backward_input0',
      'softmax_label',
      'softmax_backward_input1',
      'softmax_backward_output0',
      'softmax_backward_output1',
      'fc2_backward_input0',
      'fc2_backward_input1',
      'fc2_weight',
      'fc2_backward_input2',
      'fc2_backward_output0',
      'fc2_backward_output1',
      'fc2_backward_output2',
      'act1_backward_input0',
      'act1_backward_input1',
      'act1_backward_output',
      'fc1_backward_input0',
      'data',
      'fc1_backward_input1',
      'fc1_weight',
      'fc1_backward_input2',
      'fc1_backward_output0',
      'fc1_backward_output1',
      'fc1_backward_output2',
    ]);
    // The weight gradients are reported with the weights' shapes (fc2's accumulated by a copy that is not reported).
    expect(seen.find(([n]) => n === 'fc1_backward_output1')![1]).toEqual([5, 6]);
    expect(seen.find(([n]) => n === 'fc2_backward_output1')![1]).toEqual([3, 5]);
    exec.setMonitorCallback(null);
    seen.length = 0;
    exec.forward({ isTrain: false });
    expect(seen).toEqual([]);
    exec.dispose();
  });

  it('names the outputs of a multi-output node by its output names', () => {
    const bn = BatchNorm({ data: Variable('data'), name: 'bn' });
    const exec = Executor.simpleBind(bn, { shapes: { data: [4, 3] }, gradReq: 'null' });
    const seen: string[] = [];
    exec.setMonitorCallback((name) => seen.push(name), true);
    exec.forward({ isTrain: true });
    expect(seen).toEqual([
      'data',
      'bn_data',
      'bn_gamma',
      'bn_gamma',
      'bn_beta',
      'bn_beta',
      'bn_moving_mean',
      'bn_moving_mean',
      'bn_moving_var',
      'bn_moving_var',
      'bn_output',
      'bn_mean',
      'bn_var',
    ]);
    exec.dispose();
  });

  it('keeps the intermediates of an executor on another context on that context', () => {
    const parts = SliceChannel({ data: Variable('data'), numOutputs: 2, name: 'split' });
    const net = parts.at(0).mul(parts.at(1));
    const ctx = cpu(1);
    const exec = Executor.simpleBind(net, { ctx, shapes: { data: [2, 4] }, gradReq: 'null' });
    const where: string[] = [];
    exec.setMonitorCallback((name, a) => where.push(`${name}@${a.context}`));
    exec.forward({ data: fromTypedArray(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 4], { ctx }) });
    expect(f64(exec.outputs[0]!)).toEqual(Float64Array.from([3, 8, 35, 48]));
    expect(where).toEqual(['split_output0@cpu(1)', 'split_output1@cpu(1)', `${net.listOutputs()[0]}@cpu(1)`]);
    exec.dispose();
  });
});
