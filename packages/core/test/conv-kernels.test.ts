import { TOL, expectAllClose } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { registerConvBackpropKernels } from '../src/backend/kernels/conv.js';
import { onBothBackends, onCpu, onWasm, randn } from './backendHelpers.js';

/**
 * wasm (XNNPACK float32 matmul, float32 im2col) vs cpu (float64 JS accumulation) on sums of
 * at most a few hundred O(1) terms: float32 reordering error, see TOL.F32_REORDER.
 */
const CONV_TOL = { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER };
/** The adjoint identity sums a few thousand float32 products once more: a long float32 sum. */
const ADJOINT_RTOL = TOL.F32_LONG_SUM;

type Shape4 = [number, number, number, number];
type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

/** Kernel attributes as tfjs types them (its `Attribute` union has no `undefined`). */
function attrsOf(o: object): tf.NamedAttrMap {
  return o as unknown as tf.NamedAttrMap;
}

interface Geometry {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Brute-force convolution backprops from the definition: for every output pixel and filter tap
 * that lands inside the input, dW += x * dy and dX += w * dy. `depthwise` maps output channel
 * c*M + m to input channel c.
 */
function naiveBackprops(
  x: Float32Array,
  xShape: Shape4,
  w: Float32Array,
  wShape: Shape4,
  dy: Float32Array,
  g: Geometry,
  depthwise: boolean,
): { dx: Float64Array; dw: Float64Array } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    wShape,
    g.strides,
    g.dilations,
    g.pad,
    g.dimRoundingMode,
    depthwise,
  );
  const [B, H, W, C] = xShape;
  const [KH, KW, , K3] = wShape;
  const { outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const dx = new Float64Array(B * H * W * C);
  const dw = new Float64Array(w.length);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let i = 0; i < KH; i++)
          for (let j = 0; j < KW; j++) {
            const ih = oh * info.strideHeight + i * info.dilationHeight - info.padInfo.top;
            const iw = ow * info.strideWidth + j * info.dilationWidth - info.padInfo.left;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            for (let co = 0; co < CO; co++) {
              const ci = depthwise ? Math.floor(co / K3) : -1;
              const g0 = dy[((b * OH + oh) * OW + ow) * CO + co] as number;
              const cis = depthwise ? [ci] : Array.from({ length: C }, (_, t) => t);
              for (const c of cis) {
                const wIdx = depthwise
                  ? ((i * KW + j) * C + c) * K3 + (co % K3)
                  : ((i * KW + j) * C + c) * CO + co;
                const xIdx = ((b * H + ih) * W + iw) * C + c;
                dw[wIdx] = (dw[wIdx] as number) + (x[xIdx] as number) * g0;
                dx[xIdx] = (dx[xIdx] as number) + (w[wIdx] as number) * g0;
              }
            }
          }
  return { dx, dw };
}

function outShapeOf(xShape: Shape4, wShape: Shape4, g: Geometry, depthwise: boolean): number[] {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    wShape,
    g.strides,
    g.dilations,
    g.pad,
    g.dimRoundingMode,
    depthwise,
  ).outShape;
}

const EXPLICIT: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];

interface Case {
  x: Shape4;
  w: Shape4;
  g: Geometry;
}

const CONV_CASES: Case[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], g: { strides: 1, dilations: 1, pad: 'same' } },
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], g: { strides: 2, dilations: 1, pad: 'same' } },
  { x: [2, 7, 6, 3], w: [3, 2, 3, 4], g: { strides: [1, 3], dilations: 1, pad: 'valid' } },
  { x: [1, 5, 5, 1], w: [1, 1, 1, 2], g: { strides: 1, dilations: 1, pad: 'valid' } },
  { x: [3, 8, 9, 17], w: [2, 4, 17, 3], g: { strides: 2, dilations: 1, pad: 1, dimRoundingMode: 'floor' } },
  { x: [2, 6, 7, 2], w: [3, 3, 2, 3], g: { strides: 1, dilations: 1, pad: EXPLICIT } },
  {
    x: [2, 6, 7, 2],
    w: [3, 3, 2, 3],
    g: { strides: 2, dilations: 1, pad: EXPLICIT, dimRoundingMode: 'ceil' },
  },
];

const DEPTHWISE_CASES: Case[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 1], g: { strides: 1, dilations: 1, pad: 'same' } },
  { x: [2, 7, 6, 3], w: [3, 3, 3, 2], g: { strides: 2, dilations: 1, pad: 'same' } },
  { x: [1, 8, 5, 4], w: [2, 3, 4, 3], g: { strides: [2, 1], dilations: 1, pad: 'valid' } },
  { x: [2, 6, 7, 2], w: [3, 3, 2, 2], g: { strides: 1, dilations: 1, pad: EXPLICIT } },
  { x: [2, 7, 8, 2], w: [3, 2, 2, 2], g: { strides: 2, dilations: 1, pad: 1, dimRoundingMode: 'round' } },
];

/** Dilated cases: the cpu backprop kernels ignore dilations, so these compare to brute force. */
const DILATED_CASES: Case[] = [
  { x: [2, 9, 8, 3], w: [3, 3, 3, 2], g: { strides: 1, dilations: 2, pad: 'same' } },
  { x: [1, 9, 10, 2], w: [2, 3, 2, 1], g: { strides: 1, dilations: [3, 2], pad: 'valid' } },
  { x: [1, 9, 10, 2], w: [2, 3, 2, 2], g: { strides: 1, dilations: [1, 2], pad: EXPLICIT } },
];

const label = (c: Case) =>
  `x ${c.x.join('x')} w ${c.w.join('x')} s ${c.g.strides} d ${c.g.dilations} pad ${JSON.stringify(c.g.pad)}`;

describe('wasm convolution backprop kernels', () => {
  it('are registered for wasm and registration is idempotent', async () => {
    await initBackend();
    const before = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
    expect(before).toBeDefined();
    expect(tf.getKernel(tf.DepthwiseConv2dNativeBackpropFilter, 'wasm')).toBeDefined();
    expect(tf.getKernel(tf.DepthwiseConv2dNativeBackpropInput, 'wasm')).toBeDefined();
    registerConvBackpropKernels();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBe(before);
  });

  it.each(CONV_CASES.map((c) => [label(c), c] as const))(
    'Conv2DBackpropFilter and Conv2DBackpropInput equal cpu and brute force: %s',
    async (_, c) => {
      const dyShape = outShapeOf(c.x, c.w, c.g, false);
      const x = randn(1, c.x);
      const w = randn(12, c.w);
      const dy = randn(2, dyShape);
      const attrs = {
        strides: c.g.strides,
        pad: c.g.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: c.g.dimRoundingMode,
      };
      const { cpu, wasm } = await onBothBackends(() => [
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x: tf.tensor4d(x, c.x), dy: tf.tensor(dy, dyShape) },
            attrsOf({ ...attrs, filterShape: c.w }),
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropInput,
            { dy: tf.tensor(dy, dyShape), filter: tf.tensor4d(w, c.w) },
            attrsOf({ ...attrs, inputShape: c.x }),
          ) as tf.Tensor,
      ]);
      const ref = naiveBackprops(x, c.x, w, c.w, dy, c.g, false);
      expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, CONV_TOL);
      expectAllClose(wasm[0] as Float32Array, ref.dw, CONV_TOL);
      expectAllClose(wasm[1] as Float32Array, cpu[1] as Float32Array, CONV_TOL);
      expectAllClose(wasm[1] as Float32Array, ref.dx, CONV_TOL);
    },
  );

  it('Conv2DBackpropFilter and Conv2DBackpropInput with NCHW data equal cpu', async () => {
    const xShape: Shape4 = [2, 3, 7, 6];
    const wShape: Shape4 = [3, 3, 3, 4];
    const dyShape = [2, 4, 4, 3];
    const x = randn(3, xShape);
    const w = randn(13, wShape);
    const dy = randn(4, dyShape);
    const { cpu, wasm } = await onBothBackends(() => [
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x: tf.tensor4d(x, xShape), dy: tf.tensor(dy, dyShape) },
          { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: wShape },
        ) as tf.Tensor,
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropInput,
          { dy: tf.tensor(dy, dyShape), filter: tf.tensor4d(w, wShape) },
          { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: xShape },
        ) as tf.Tensor,
    ]);
    expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, CONV_TOL);
    expectAllClose(wasm[1] as Float32Array, cpu[1] as Float32Array, CONV_TOL);
  });

  it('Conv2D backprops chunk large batches (im2col bound) and still equal brute force', async () => {
    // Per batch element 5*5*170 * 32*32 = 4.35M im2col elements; two exceed the 8M bound, so
    // both kernels run one chunk per batch element.
    const xShape: Shape4 = [2, 32, 32, 170];
    const wShape: Shape4 = [5, 5, 170, 1];
    const g: Geometry = { strides: 1, dilations: 1, pad: 'same' };
    const dyShape = outShapeOf(xShape, wShape, g, false);
    const w = randn(14, wShape);
    const dy = randn(15, dyShape);
    const x = randn(16, xShape);
    const wasm = await onWasm(() => [
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropInput,
          { dy: tf.tensor(dy, dyShape), filter: tf.tensor4d(w, wShape) },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: xShape },
        ) as tf.Tensor,
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x: tf.tensor4d(x, xShape), dy: tf.tensor(dy, dyShape) },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: wShape },
        ) as tf.Tensor,
    ]);
    const ref = naiveBackprops(x, xShape, w, wShape, dy, g, false);
    expectAllClose(wasm[0] as Float32Array, ref.dx, CONV_TOL);
    // dW sums 2*32*32 = 2048 products per entry: a long float32 sum.
    expectAllClose(wasm[1] as Float32Array, ref.dw, { atol: TOL.F32_LONG_SUM, rtol: TOL.F32_LONG_SUM });
  });

  it.each(DEPTHWISE_CASES.map((c) => [label(c), c] as const))(
    'depthwise backprops (filter and input) equal cpu and brute force: %s',
    async (_, c) => {
      const dyShape = outShapeOf(c.x, c.w, c.g, true);
      const x = randn(5, c.x);
      const w = randn(6, c.w);
      const dy = randn(7, dyShape);
      const attrs = {
        strides: c.g.strides,
        dilations: c.g.dilations,
        pad: c.g.pad,
        dimRoundingMode: c.g.dimRoundingMode,
      };
      const { cpu, wasm } = await onBothBackends(() => [
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropFilter,
            { x: tf.tensor4d(x, c.x), dy: tf.tensor(dy, dyShape) },
            attrsOf({ ...attrs, filterShape: c.w }),
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropInput,
            { dy: tf.tensor(dy, dyShape), filter: tf.tensor4d(w, c.w) },
            attrsOf({ ...attrs, inputShape: c.x }),
          ) as tf.Tensor,
      ]);
      const ref = naiveBackprops(x, c.x, w, c.w, dy, c.g, true);
      expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, CONV_TOL);
      expectAllClose(wasm[1] as Float32Array, cpu[1] as Float32Array, CONV_TOL);
      expectAllClose(wasm[0] as Float32Array, ref.dw, CONV_TOL);
      expectAllClose(wasm[1] as Float32Array, ref.dx, CONV_TOL);
    },
  );

  it.each(DILATED_CASES.map((c) => [label(c), c] as const))(
    'dilated backprops equal brute force and the adjoint of the cpu forward: %s',
    async (_, c) => {
      const dyShape = outShapeOf(c.x, c.w, c.g, true);
      const dyShapeFull = outShapeOf(c.x, [c.w[0], c.w[1], c.w[2], 5], c.g, false);
      const x = randn(8, c.x);
      const w = randn(9, c.w);
      const dy = randn(10, dyShape);
      const dyFull = randn(11, dyShapeFull);
      const attrs = { strides: c.g.strides, dilations: c.g.dilations, pad: c.g.pad };
      const wFullShape: Shape4 = [c.w[0], c.w[1], c.w[2], 5];
      const wFull = randn(17, wFullShape);
      const wasm = await onWasm(() => [
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropFilter,
            { x: tf.tensor4d(x, c.x), dy: tf.tensor(dy, dyShape) },
            attrsOf({ ...attrs, filterShape: c.w }),
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            tf.DepthwiseConv2dNativeBackpropInput,
            { dy: tf.tensor(dy, dyShape), filter: tf.tensor4d(w, c.w) },
            attrsOf({ ...attrs, inputShape: c.x }),
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropFilter,
            { x: tf.tensor4d(x, c.x), dy: tf.tensor(dyFull, dyShapeFull) },
            { ...attrs, dataFormat: 'NHWC', filterShape: wFullShape },
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            tf.Conv2DBackpropInput,
            { dy: tf.tensor(dyFull, dyShapeFull), filter: tf.tensor4d(wFull, wFullShape) },
            { ...attrs, dataFormat: 'NHWC', inputShape: c.x },
          ) as tf.Tensor,
      ]);
      // cpu reference of the forward pass: <depthwise(x, w), dy>.
      const cpu = await onCpu(() => [
        tf.sum(
          tf.mul(
            tf.depthwiseConv2d(
              tf.tensor4d(x, c.x),
              tf.tensor4d(w, c.w),
              c.g.strides,
              c.g.pad as 'same',
              'NHWC',
              c.g.dilations,
            ),
            tf.tensor(dy, dyShape),
          ),
        ),
      ]);
      const ref = naiveBackprops(x, c.x, w, c.w, dy, c.g, true);
      expectAllClose(wasm[0] as Float32Array, ref.dw, CONV_TOL);
      expectAllClose(wasm[1] as Float32Array, ref.dx, CONV_TOL);
      const refFull = naiveBackprops(x, c.x, wFull, wFullShape, dyFull, c.g, false);
      expectAllClose(wasm[2] as Float32Array, refFull.dw, CONV_TOL);
      expectAllClose(wasm[3] as Float32Array, refFull.dx, CONV_TOL);
      // Adjoint identity: <conv(x, w), dy> = <x, dX(dy, w)> = <w, dW(x, dy)>, forward from cpu.
      const forward = (cpu[0] as Float32Array)[0] as number;
      let viaDx = 0;
      let viaDw = 0;
      for (let i = 0; i < x.length; i++) viaDx += (x[i] as number) * ((wasm[1] as Float32Array)[i] as number);
      for (let i = 0; i < w.length; i++) viaDw += (w[i] as number) * ((wasm[0] as Float32Array)[i] as number);
      expectAllClose([viaDx, viaDw], [forward, forward], { atol: ADJOINT_RTOL, rtol: ADJOINT_RTOL });
    },
  );

  it('rejects non-float32 inputs', async () => {
    await initBackend();
    const x = tf.zeros([1, 3, 3, 1], 'int32');
    const dy = tf.zeros([1, 3, 3, 1], 'int32');
    expect(() =>
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          { strides: 1, pad: 'same', filterShape: [1, 1, 1, 1] },
        ),
    ).toThrow(/float32/);
    tf.dispose([x, dy]);
  });
});

describe('tf.grad through convolutions on wasm equals cpu', () => {
  it('conv2d (strided, same and valid)', async () => {
    const xs: Shape4 = [2, 9, 8, 3];
    const ws: Shape4 = [3, 3, 3, 5];
    const x = randn(20, xs);
    const w = randn(21, ws);
    const settings: Array<[number | [number, number], 'same' | 'valid']> = [
      [1, 'same'],
      [2, 'valid'],
      [[2, 1], 'same'],
    ];
    for (const [strides, pad] of settings) {
      const { cpu, wasm } = await onBothBackends(() => {
        const xt = tf.tensor4d(x, xs);
        const wt = tf.tensor4d(w, ws);
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)
            .square()
            .sum();
        return [f(xt, wt), ...tf.grads(f)([xt, wt])];
      });
      for (let k = 0; k < 3; k++) expectAllClose(wasm[k] as Float32Array, cpu[k] as Float32Array, CONV_TOL);
    }
  });

  it('conv1d', async () => {
    const x = randn(22, [3, 20, 4]);
    const w = randn(23, [5, 4, 6]);
    const { cpu, wasm } = await onBothBackends(() => {
      const xt = tf.tensor3d(x, [3, 20, 4]);
      const wt = tf.tensor3d(w, [5, 4, 6]);
      const r = tf.tensor(randn(24, [3, 8, 6]), [3, 8, 6]);
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 2, 'valid')
          .mul(r)
          .sum();
      return tf.grads(f)([xt, wt]);
    });
    for (let k = 0; k < 2; k++) expectAllClose(wasm[k] as Float32Array, cpu[k] as Float32Array, CONV_TOL);
  });

  it('depthwiseConv2d and separableConv2d', async () => {
    const xs: Shape4 = [2, 8, 7, 3];
    const dws: Shape4 = [3, 3, 3, 2];
    const pws: Shape4 = [1, 1, 6, 4];
    const x = randn(25, xs);
    const dw = randn(26, dws);
    const pw = randn(27, pws);
    const { cpu, wasm } = await onBothBackends(() => {
      const xt = tf.tensor4d(x, xs);
      const dwt = tf.tensor4d(dw, dws);
      const pwt = tf.tensor4d(pw, pws);
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf
          .depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
          .square()
          .sum();
      const g = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf
          .separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 1, 'valid')
          .square()
          .sum();
      return [...tf.grads(f)([xt, dwt]), ...tf.grads(g)([xt, dwt, pwt])];
    });
    for (let k = 0; k < 5; k++) expectAllClose(wasm[k] as Float32Array, cpu[k] as Float32Array, CONV_TOL);
  });
});
