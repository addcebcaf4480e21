import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { fftBatch, getFftPlan } from '../src/backend/kernels/fftCore.js';
import { registerSpectralKernels } from '../src/backend/kernels/spectral.js';
import { createRng } from '../src/random/createRng.js';

/**
 * Our FFT computes in float64 and rounds once to float32 on output, so against a float64 DFT
 * of the same float32 inputs the error is float32 rounding of the output: ~6e-8 relative to
 * the largest coefficient; 1e-6 leaves room for the Bluestein convolution's float64 error.
 */
const FFT_F32_OUTPUT = 1e-6;
/**
 * Analytic float32 gradients vs central differences of a float64 reference of the same loss
 * (h = 1e-5, truncation ~1e-10): the gap is the float32 rounding of the backprop chain.
 */
const GRAD_VS_F64_FD = 1e-4;

const rng = createRng('spectral-test');
const randn = (n: number): number[] => Array.from(rng.fillNormal(new Float64Array(n)));

async function onCpu<T>(fn: () => T): Promise<T> {
  await initBackend({ backend: 'cpu' });
  try {
    return fn();
  } finally {
    await initBackend();
  }
}

/** Naive float64 DFT of interleaved complex rows of length n (tfjs conventions). */
function naiveDft(x: ArrayLike<number>, n: number, inverse: boolean): Float64Array {
  const out = new Float64Array(x.length);
  const sign = inverse ? 1 : -1;
  for (let off = 0; off < x.length; off += 2 * n) {
    for (let k = 0; k < n; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        const ang = (sign * 2 * Math.PI * ((j * k) % n)) / n;
        const c = Math.cos(ang);
        const s = Math.sin(ang);
        const xr = x[off + 2 * j] as number;
        const xi = x[off + 2 * j + 1] as number;
        re += xr * c - xi * s;
        im += xr * s + xi * c;
      }
      out[off + 2 * k] = inverse ? re / n : re;
      out[off + 2 * k + 1] = inverse ? im / n : im;
    }
  }
  return out;
}

const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const f32 = (a: number[]): number[] => Array.from(Float32Array.from(a));

/** Central differences of a float64 scalar function. */
function finiteDiff(f: (x: number[]) => number, x: number[], h = 1e-5): number[] {
  return x.map((_, i) => {
    const p = x.slice();
    const m = x.slice();
    p[i] = (p[i] as number) + h;
    m[i] = (m[i] as number) - h;
    return (f(p) - f(m)) / (2 * h);
  });
}

const interleave = (re: number[], im: number[]): number[] => re.flatMap((r, i) => [r, im[i] as number]);

/** float64 rfft of rows of length n: the first floor(n/2)+1 coefficients, interleaved. */
function rfft64(x: number[], n: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let off = 0; off < x.length; off += n) {
    const row = x.slice(off, off + n);
    const full = naiveDft(
      interleave(
        row,
        row.map(() => 0),
      ),
      n,
      false,
    );
    rows.push(full.slice(0, 2 * (Math.floor(n / 2) + 1)));
  }
  return rows;
}

/** float64 irfft of one row of m half-spectrum coefficients (output length 2(m-1)). */
function irfft64(re: number[], im: number[]): number[] {
  const m = re.length;
  const rr = [...re, ...re.slice(1, m - 1).reverse()];
  const ii = [
    ...im,
    ...im
      .slice(1, m - 1)
      .reverse()
      .map((v) => -v),
  ];
  const full = naiveDft(interleave(rr, ii), rr.length, true);
  return Array.from({ length: rr.length }, (_, t) => full[2 * t] as number);
}

describe('registerSpectralKernels', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('is idempotent and leaves the wasm backend active', () => {
    registerSpectralKernels();
    registerSpectralKernels();
    expect(tf.getBackend()).toBe('wasm');
    for (const k of ['Complex', 'Real', 'Imag', 'ComplexAbs', 'FFT', 'IFFT']) {
      expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    }
    for (const g of ['FFT', 'IFFT', 'Complex', 'Real', 'Imag', 'ComplexAbs']) {
      expect(tf.getGradient(g), g).toBeDefined();
    }
  });
});

describe('complex64 storage on wasm', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('round-trips data, reshape, clone, dispose and memory accounting', async () => {
    const re = [1, -2, 3.5, 0, 5, 6];
    const im = [0.5, 1, -1, 2, 0, -3];
    const z0 = interleave(re, im);
    await expectNoLeaks(async () => {
      const parts = [tf.tensor2d(re, [2, 3]), tf.tensor2d(im, [2, 3])] as const;
      const bytesBefore = tf.memory().numBytes;
      const z = tf.complex(parts[0], parts[1]);
      expect(z.dtype).toBe('complex64');
      // tfjs-core's engine never counts complex64 bytes (on cpu they live in the two parts).
      expect(tf.memory().numBytes - bytesBefore).toBe(0);
      expectAllClose(z.dataSync(), z0, { atol: TOL.EXACT });
      expectAllClose(await z.data(), z0, { atol: TOL.EXACT });
      const r = z.reshape([3, 2]);
      const c = z.clone();
      expect(r.shape).toEqual([3, 2]);
      z.dispose();
      expectAllClose(r.dataSync(), z0, { atol: TOL.EXACT }); // reshape keeps its own reference
      expectAllClose(c.dataSync(), z0, { atol: TOL.EXACT });
      tf.tidy(() => {
        expectAllClose(tf.real(c), re, { atol: TOL.EXACT });
        expectAllClose(tf.imag(c), im, { atol: TOL.EXACT });
        expectAllClose(tf.zerosLike(c).dataSync(), new Array(12).fill(0), { atol: TOL.EXACT });
        expectAllClose(tf.onesLike(c).dataSync(), interleave([1, 1, 1, 1, 1, 1], new Array(6).fill(0)), {
          atol: TOL.EXACT,
        });
        expectAllClose(
          tf.cast(tf.tensor1d(re), 'complex64').dataSync(),
          interleave(re, new Array(6).fill(0)),
          {
            atol: TOL.EXACT,
          },
        );
        expectAllClose(tf.cast(c, 'float32'), re, { atol: TOL.EXACT });
        expectAllClose(
          tf.abs(c),
          re.map((v, i) => Math.hypot(v, im[i] as number)),
          { rtol: 1e-7 },
        );
      });
      tf.dispose([r, c, ...parts]);
      expect(tf.memory().numBytes).toBe(bytesBefore - 2 * 6 * 4);
    });
  });

  it('migrates live complex64 tensors between wasm and cpu', async () => {
    const re = [1, -2, 3];
    const im = [4, 0.5, -6];
    const z = tf.tidy(() => tf.complex(tf.tensor1d(re), tf.tensor1d(im)));
    try {
      await initBackend({ backend: 'cpu' });
      expectAllClose(z.dataSync(), interleave(re, im), { atol: TOL.EXACT }); // moved wasm -> cpu
      const onCpuParts = tf.tidy(() => [tf.real(z).dataSync(), tf.imag(z).dataSync()]);
      expectAllClose(onCpuParts[0] as Float32Array, re, { atol: TOL.EXACT });
      expectAllClose(onCpuParts[1] as Float32Array, im, { atol: TOL.EXACT });
      await initBackend();
      expectAllClose(z.dataSync(), interleave(re, im), { atol: TOL.EXACT }); // moved cpu -> wasm
      expectAllClose(
        tf.tidy(() => tf.imag(z).dataSync()),
        im,
        { atol: TOL.EXACT },
      );
    } finally {
      await initBackend();
      z.dispose();
    }
  });

  it('runs layout, reduction and broadcasting arithmetic kernels on complex64', async () => {
    const re = randn(24);
    const im = randn(24);
    const [wr, wi] = [randn(4), randn(4)];
    // Each layout op f is linear, so f(re + i im) must equal f(re) + i f(im) computed by the
    // untouched float32 wasm kernels; arithmetic is checked against its real-part formulas.
    const layoutOps: Array<(t: tf.Tensor) => tf.Tensor> = [
      (t) => tf.slice(t, [0, 1, 1], [2, 2, -1]),
      (t) => tf.concat([t, t], 1),
      (t) => tf.transpose(t, [2, 0, 1]),
      (t) => tf.reverse(t, [-1, 0]),
      (t) => tf.tile(t, [1, 2, 1]),
      (t) => tf.stack([t, t], 1),
      (t) => tf.unstack(t, 1)[2] as tf.Tensor,
      (t) => tf.split(t, [1, 3], 2)[1] as tf.Tensor,
      (t) => tf.gather(t, [2, 0], 1),
      (t) =>
        tf.pad(t, [
          [0, 1],
          [1, 0],
          [0, 0],
        ]),
      (t) => tf.sum(t, [0, 2]),
      (t) => tf.sum(t, -1, true),
      (t) => tf.reshape(t, [4, 6]),
      (t) => tf.mean(t, 1),
      (t) => tf.addN([t, t, t]),
      (t) => tf.stridedSlice(t, [0, 2], [2, 0], [1, -1]),
      (t) => tf.stridedSlice(t, [1], [2], [1], 0, 0, 0, 0, 1),
      (t) =>
        tf.mirrorPad(
          t,
          [
            [1, 1],
            [0, 0],
            [2, 1],
          ],
          'reflect',
        ),
      (t) =>
        tf.gatherND(t, [
          [1, 2],
          [0, 0],
        ]),
      (t) =>
        tf.where(
          tf.tensor3d(
            re.map((v) => v > 0),
            [2, 3, 4],
            'bool',
          ),
          t,
          tf.reverse(t, 1),
        ),
      (t) => tf.broadcastTo(t, [3, 2, 3, 4]),
    ];
    await expectNoLeaks(() =>
      tf.tidy(() => {
        const R = tf.tensor3d(re, [2, 3, 4]);
        const I = tf.tensor3d(im, [2, 3, 4]);
        const z = tf.complex(R, I);
        layoutOps.forEach((f, k) => {
          const got = f(z);
          expect(got.dtype, `op ${k}`).toBe('complex64');
          const want = tf.complex(f(R), f(I));
          expect(got.shape, `op ${k}`).toEqual(want.shape);
          // Sums may associate differently in the [..., 2] view: float32 reordering.
          expectAllClose(got.dataSync(), want.dataSync(), { atol: TOL.F32_REORDER });
        });
        const Wr = tf.tensor1d(wr);
        const Wi = tf.tensor1d(wi);
        const w = tf.complex(Wr, Wi);
        const cases: Array<[tf.Tensor, tf.Tensor, tf.Tensor]> = [
          [tf.add(z, w), tf.add(R, Wr), tf.add(I, Wi)],
          [tf.sub(w, z), tf.sub(Wr, R), tf.sub(Wi, I)],
          [tf.mul(z, w), tf.sub(tf.mul(R, Wr), tf.mul(I, Wi)), tf.add(tf.mul(R, Wi), tf.mul(I, Wr))],
          [tf.add(z, tf.scalar(1.5)), tf.add(R, 1.5), I],
          [tf.square(z), tf.sub(tf.square(R), tf.square(I)), tf.mul(tf.mul(R, I), 2)],
        ];
        for (const [got, wantRe, wantIm] of cases) {
          expectAllClose(got.dataSync(), tf.complex(wantRe, wantIm).dataSync(), { atol: TOL.F32_REORDER });
        }
      }),
    );
  });

  it('refuses, rather than misreads, complex64 in kernels without complex support', () => {
    tf.tidy(() => {
      const z = tf.complex(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
      expect(() => tf.exp(z)).toThrow(/Exp does not support complex64/);
      expect(() => tf.sign(z)).toThrow(/Sign does not support complex64/);
      expect(() => tf.einsum('i,i->', z, z)).toThrow(/complex64/);
    });
  });

  it('negates, scales and divides complex64 (closed forms; cpu lacks or mis-broadcasts these)', async () => {
    const [re, im] = [f32(randn(6)), f32(randn(6))];
    const [neg, scaled, quot] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const z = tf.complex(tf.tensor1d(re), tf.tensor1d(im));
        const w = tf.complex(tf.scalar(2), tf.scalar(-1));
        return [tf.neg(z), tf.mul(z, tf.scalar(2.5)), tf.div(z, w)].map((t) => Array.from(t.dataSync()));
      }),
    );
    expectAllClose(
      neg as number[],
      interleave(re, im).map((v) => -v),
      { atol: TOL.EXACT },
    );
    expectAllClose(
      scaled as number[],
      interleave(re, im).map((v) => 2.5 * v),
      { rtol: 1e-7 },
    );
    // (a + bi) / (2 - i) = (a + bi)(2 + i) / 5
    const want = interleave(
      re.map((a, i) => (2 * a - (im[i] as number)) / 5),
      re.map((a, i) => (a + 2 * (im[i] as number)) / 5),
    );
    expectAllClose(quot as number[], want, { atol: 1e-6 });
  });
});

describe('wasm heap hygiene', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('frees every intermediate buffer of the complex kernels and their gradients', () => {
    // expectNoLeaks counts engine tensors; kernel-internal scratch buffers live only in the
    // backend, so count its data ids directly.
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    tf.tidy(() => {
      const x = tf.tensor2d(randn(24), [2, 12]);
      const z = tf.complex(x, tf.reverse(x, 1));
      tf.spectral.irfft(tf.spectral.rfft(x));
      tf.spectral.fft(tf.slice(z, [0, 0], [2, 7]));
      tf.concat([z, z], 0);
      tf.transpose(tf.stridedSlice(z, [0, 1], [2, 9], [1, 2]));
      tf.sum(z, 1);
      tf.cast(z, 'float32');
      tf.grad((v: tf.Tensor) => tf.sum(tf.abs(tf.spectral.rfft(v))))(x);
    });
    expect(backend.numDataIds()).toBe(before);
  });
});

describe('FFT kernels', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it.each([1, 2, 5, 8, 12, 97, 256])('fft/ifft of length %i match a float64 DFT (batch 3)', async (n) => {
    const re = f32(randn(3 * n));
    const im = f32(randn(3 * n));
    const x = interleave(re, im);
    const [fwd, inv] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const z = tf.complex(tf.tensor2d(re, [3, n]), tf.tensor2d(im, [3, n]));
        return [tf.spectral.fft(z).dataSync(), tf.spectral.ifft(z).dataSync()];
      }),
    );
    const wantF = naiveDft(x, n, false);
    const wantI = naiveDft(x, n, true);
    expectAllClose(fwd as Float32Array, wantF, { atol: FFT_F32_OUTPUT * maxAbs(wantF) });
    expectAllClose(inv as Float32Array, wantI, { atol: FFT_F32_OUTPUT * maxAbs(wantI) });
  });

  it('fftBatch (float64 core) matches the naive DFT to float64 accuracy', () => {
    for (const n of [3, 7, 16, 100, 1000]) {
      const x = randn(2 * n);
      const got = fftBatch(x, n, false, new Float64Array(2 * n));
      const want = naiveDft(x, n, false);
      // Bluestein / radix-4 rounding grows like eps * log n; naive DFT like eps * n.
      expectAllClose(got, want, { atol: 1e-12 * n * maxAbs(want) });
      const back = fftBatch(got, n, true, new Float64Array(2 * n));
      expectAllClose(back, x, { atol: 1e-12 * n * maxAbs(x) });
    }
    expect(getFftPlan(5)).toBe(getFftPlan(5));
    expect(() => getFftPlan(-1)).toThrow(/getFftPlan: argument 'n'/);
  });

  it('fft, ifft, rfft, irfft and complexAbs on wasm equal the cpu backend', async () => {
    const x = randn(4 * 12);
    const y = randn(4 * 12);
    const compute = (): number[][] =>
      tf.tidy(() => {
        const z = tf.complex(tf.tensor2d(x, [4, 12]), tf.tensor2d(y, [4, 12]));
        const z7 = tf.complex(tf.tensor2d(x.slice(0, 14), [2, 7]), tf.tensor2d(y.slice(0, 14), [2, 7]));
        const r = tf.spectral.rfft(tf.tensor2d(x, [4, 12]));
        return [
          tf.spectral.fft(z),
          tf.spectral.ifft(z),
          tf.spectral.fft(z7),
          r,
          tf.spectral.rfft(tf.tensor1d(x.slice(0, 9))),
          tf.spectral.irfft(r),
          tf.spectral.irfft(z7),
          tf.abs(z),
        ].map((t) => Array.from(t.dataSync()));
      });
    const wasm = await expectNoLeaks(compute);
    const cpu = await onCpu(compute);
    // cpu evaluates non-power-of-two DFTs naively in float32: ~n ulp of the largest coefficient.
    wasm.forEach((w, i) => {
      expectAllClose(w, cpu[i] as number[], { atol: TOL.F32_REORDER * maxAbs(cpu[i] as number[]) });
    });
  });

  it('irfft(rfft(x)) recovers x for even lengths', async () => {
    for (const n of [2, 8, 12, 256]) {
      const x = randn(2 * n);
      const back = await expectNoLeaks(() =>
        tf.tidy(() => tf.spectral.irfft(tf.spectral.rfft(tf.tensor2d(x, [2, n]))).dataSync()),
      );
      expectAllClose(back, x, { atol: FFT_F32_OUTPUT * 10 * maxAbs(x) });
    }
  });
});

describe('complex gradients', () => {
  beforeAll(async () => {
    await initBackend();
  });

  const x26 = f32(randn(12));
  const w26 = randn(12);
  const re5 = f32(randn(5));
  const im5 = f32(randn(5));

  /** Gradients of the test losses, as plain arrays, on the active backend. */
  const grads = (): number[][] =>
    tf.tidy(() => {
      const gAbsRfft = tf.grad((v: tf.Tensor) => tf.sum(tf.abs(tf.spectral.rfft(v))))(
        tf.tensor2d(x26, [2, 6]),
      );
      const gAbsRfft7 = tf.grad((v: tf.Tensor) => tf.sum(tf.abs(tf.spectral.rfft(v))))(
        tf.tensor1d(x26.slice(0, 7)),
      );
      const [gIr, gIi] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.spectral.irfft(tf.complex(a, b)))),
      )([tf.tensor1d(re5), tf.tensor1d(im5)]) as [tf.Tensor, tf.Tensor];
      const [gFr, gFi] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.abs(tf.spectral.fft(tf.complex(a, b)))),
      )([tf.tensor1d(re5), tf.tensor1d(im5)]) as [tf.Tensor, tf.Tensor];
      const [gRr, gRi] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.real(tf.spectral.ifft(tf.complex(a, b))), tf.tensor1d(w26.slice(0, 5)))),
      )([tf.tensor1d(re5), tf.tensor1d(im5)]) as [tf.Tensor, tf.Tensor];
      const gRound = tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(tf.spectral.irfft(tf.spectral.rfft(v)), tf.tensor2d(w26, [2, 6]))),
      )(tf.tensor2d(x26, [2, 6]));
      return [gAbsRfft, gAbsRfft7, gIr, gIi, gFr, gFi, gRr, gRi, gRound].map((t) => Array.from(t.dataSync()));
    });

  it('match central finite differences of float64 references', async () => {
    const [gAbsRfft, gAbsRfft7, gIr, gIi, gFr, gFi, gRr, gRi, gRound] = await expectNoLeaks(grads);
    const sumAbs = (rows: Float64Array[]): number =>
      rows.reduce((s, r) => {
        for (let k = 0; k < r.length; k += 2) s += Math.hypot(r[k] as number, r[k + 1] as number);
        return s;
      }, 0);
    const check = (got: number[] | undefined, f: (v: number[]) => number, at: number[]): void => {
      const want = finiteDiff(f, at);
      expectAllClose(got as number[], want, { atol: GRAD_VS_F64_FD * Math.max(1, maxAbs(want)) });
    };
    check(gAbsRfft, (v) => sumAbs(rfft64(v, 6)), x26);
    check(gAbsRfft7, (v) => sumAbs(rfft64(v, 7)), x26.slice(0, 7));
    const sq = (a: number[]): number => a.reduce((s, v) => s + v * v, 0);
    check(gIr, (v) => sq(irfft64(v, im5)), re5);
    check(gIi, (v) => sq(irfft64(re5, v)), im5);
    const absFft = (a: number[], b: number[]): number => sumAbs([naiveDft(interleave(a, b), 5, false)]);
    check(gFr, (v) => absFft(v, im5), re5);
    check(gFi, (v) => absFft(re5, v), im5);
    const wReal = (a: number[], b: number[]): number => {
      const z = naiveDft(interleave(a, b), 5, true);
      return w26.slice(0, 5).reduce((s, w, t) => s + w * (z[2 * t] as number), 0);
    };
    check(gRr, (v) => wReal(v, im5), re5);
    check(gRi, (v) => wReal(re5, v), im5);
    // irfft(rfft(x)) = x for even n, so d/dx sum(w * x) = w exactly.
    expectAllClose(gRound as number[], w26, { atol: GRAD_VS_F64_FD });
  });

  it('equal the cpu backend', async () => {
    const wasm = grads();
    const cpu = await onCpu(grads);
    wasm.forEach((w, i) => {
      expectAllClose(w, cpu[i] as number[], {
        atol: TOL.F32_REORDER * Math.max(1, maxAbs(cpu[i] as number[])),
      });
    });
  });

  it('fills zero gradients for unused complex outputs (multi-output kernels)', async () => {
    const g = await expectNoLeaks(() =>
      tf.tidy(() =>
        tf
          .grad((v: tf.Tensor) => {
            const parts = tf.split(tf.complex(v, tf.mul(v, 2)), [2, 3], 0);
            return tf.sum(tf.imag(parts[0] as tf.Tensor));
          })(tf.tensor1d([1, 2, 3, 4, 5]))
          .dataSync(),
      ),
    );
    // d/dv sum(imag(first two)) = 2 on the first two entries; the unused part gets zeros.
    expectAllClose(g, [2, 2, 0, 0, 0], { atol: TOL.EXACT });
  });

  it('still differentiates real graphs and rejects a complex gradient for a real input', async () => {
    await expectNoLeaks(() =>
      tf.tidy(() => {
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(v)))(tf.tensor1d([1, -2, 3]));
        expectAllClose(g, [2, -4, 6], { atol: TOL.EXACT });
        const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, tf.add(a, b))))([
          tf.tensor1d([1, 2]),
          tf.tensor1d([3, 5]),
        ]);
        expectAllClose(ga as tf.Tensor, [5, 9], { atol: TOL.EXACT }); // 2a + b
        expectAllClose(gb as tf.Tensor, [1, 2], { atol: TOL.EXACT }); // a
        // Second order: d2/dx2 x^3 = 6x.
        const d2 = tf.grad((v: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.sum(tf.pow(u, 3)))(v))(
          tf.tensor1d([1, -2]),
        );
        expectAllClose(d2, [6, -12], { atol: TOL.F32_REORDER });
      }),
    );
    // variableGrads (allowNoGradients): only the variables that reach the loss get a gradient.
    const used = tf.variable(tf.tensor1d([1, 2]), true, 'spectral-test-used');
    const unused = tf.variable(tf.tensor1d([3]), true, 'spectral-test-unused');
    const vg = tf.variableGrads(() => tf.sum(tf.square(used)), [used, unused]);
    expectAllClose(vg.grads['spectral-test-used'] as tf.Tensor, [2, 4], { atol: TOL.EXACT });
    expect(vg.grads['spectral-test-unused']).toBeUndefined();
    tf.dispose([vg.value, ...Object.values(vg.grads), used, unused]);
    const bad = tf.customGrad((x) => ({
      value: tf.mul(x as tf.Tensor, 2),
      gradFunc: (dy) => tf.complex(dy as tf.Tensor, dy as tf.Tensor),
    }));
    expect(() => tf.grad((v: tf.Tensor) => tf.sum(bad(v) as tf.Tensor))(tf.tensor1d([1, 2]))).toThrow(
      /must have 'float32' dtype/,
    );
  });
});
