/**
 * The CSR x dense kernel behind `sparseDenseMatMul`: `out[i, :] = sum_p vals[p] * B[indices[p], :]`
 * over the entries `p` of row `i`, float64 accumulation in entry order, one rounding to float32
 * per output. Two implementations with bit-identical results:
 *
 * - a WebAssembly SIMD module (f64x2 lanes: every product and sum is the same IEEE float64
 *   operation, in the same order, as the JavaScript loop), assembled below from its opcodes at
 *   first use (about 500 bytes, no build step, no binary blob in the repository);
 * - a JavaScript loop with register accumulators (chunks of 8 / 4 columns), used where
 *   WebAssembly SIMD is not available.
 *
 * Internal to `src/sparse/`.
 */

/** Which implementation {@link spmmCsr} uses. */
export type SpmmKernelName = 'wasm-simd' | 'js';

// --- a minimal WebAssembly emitter -------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (l: number) => [0x20, ...uleb(l)],
  set: (l: number) => [0x21, ...uleb(l)],
  i32: (v: number) => [0x41, ...sleb(v)],
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeS: [0x4e],
  i32GtS: [0x4a],
  i32LtS: [0x48],
  f64Const0: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  f32Demote: [0xb6],
  f64Promote: [0xbb],
  v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  f64x2Splat: [0xfd, 0x14],
  f64x2Lane: (lane: number) => [0xfd, 0x21, lane],
  load64Zero: (offset = 0) => [0xfd, 0x5d, 2, ...uleb(offset)],
  promoteLow: [0xfd, 0x5f],
  f64x2Add: [0xfd, 0xf0, 0x01],
  f64x2Mul: [0xfd, 0xf2, 0x01],
};

// Parameters (all i32; pointers are byte offsets into the module's memory).
const N = 0;
const K = 1;
const INDPTR = 2;
const INDICES = 3;
const PERM = 4; // only read by the permuted variant: the value of entry p is vals[perm[p]]
const VALS = 5;
const B = 6;
const OUT = 7;
// Locals.
const ROW = 8;
const START = 9;
const END = 10;
const COL = 11;
const P = 12;
const BASE = 13;
const O = 14;
const V = 15; // f64
const ACC = 16; // f64
const SPLAT = 17; // v128
const A0 = 18; // v128 x 4: A0..A0+3

/** `local.get x; local.get y; <cmp>; br_if depth` */
const exitIf = (x: number[], y: number[], cmp: number[], depth: number): number[] => [
  ...x,
  ...y,
  ...cmp,
  ...op.brIf(depth),
];

/** Pushes the float64 value of entry p (of `vals[p]` or `vals[perm[p]]`). */
function entryValue(permuted: boolean): number[] {
  const index = permuted
    ? [...op.get(PERM), ...op.get(P), ...op.i32(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load()]
    : op.get(P);
  return [
    ...op.get(VALS),
    ...index,
    ...op.i32(2),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.f32Load(),
    ...op.f64Promote,
  ];
}

/** Sets BASE = B + 4 * (indices[p] * k + col). */
const rowBase: number[] = [
  ...op.get(B),
  ...op.get(INDICES),
  ...op.get(P),
  ...op.i32(2),
  ...op.i32Shl,
  ...op.i32Add,
  ...op.i32Load(),
  ...op.get(K),
  ...op.i32Mul,
  ...op.get(COL),
  ...op.i32Add,
  ...op.i32(2),
  ...op.i32Shl,
  ...op.i32Add,
  ...op.set(BASE),
];

/** Pushes OUT + 4 * (row * k + col), the address of the output element (row, col). */
const outAddress: number[] = [
  ...op.get(OUT),
  ...op.get(ROW),
  ...op.get(K),
  ...op.i32Mul,
  ...op.get(COL),
  ...op.i32Add,
  ...op.i32(2),
  ...op.i32Shl,
  ...op.i32Add,
];

/** p += 1, back to the top of the entry loop; closes the entry loop and its block. */
const nextEntry: number[] = [
  ...op.get(P),
  ...op.i32(1),
  ...op.i32Add,
  ...op.set(P),
  ...op.br(0),
  ...op.end,
  ...op.end,
];

/** A column chunk of `2 * lanes` columns held in `lanes` f64x2 accumulators over one row. */
function simdChunk(permuted: boolean, lanes: number): number[] {
  const width = 2 * lanes;
  const code: number[] = [...op.block, ...op.loop];
  // while (col + width <= k)
  code.push(...exitIf([...op.get(COL), ...op.i32(width), ...op.i32Add], op.get(K), op.i32GtS, 1));
  for (let a = 0; a < lanes; a++) code.push(...op.v128Zero, ...op.set(A0 + a));
  code.push(...op.get(START), ...op.set(P));
  code.push(...op.block, ...op.loop);
  code.push(...exitIf(op.get(P), op.get(END), op.i32GeS, 1));
  code.push(...entryValue(permuted), ...op.f64x2Splat, ...op.set(SPLAT), ...rowBase);
  for (let a = 0; a < lanes; a++) {
    // acc_a = acc_a + promote(B[.., col + 2a .. col + 2a + 1]) * v
    code.push(
      ...op.get(A0 + a),
      ...op.get(BASE),
      ...op.load64Zero(8 * a),
      ...op.promoteLow,
      ...op.get(SPLAT),
      ...op.f64x2Mul,
      ...op.f64x2Add,
      ...op.set(A0 + a),
    );
  }
  code.push(...nextEntry);
  // O = OUT + 4 * (row * k + col); store the 2 * lanes sums rounded to float32
  code.push(...outAddress, ...op.set(O));
  for (let a = 0; a < lanes; a++) {
    for (let lane = 0; lane < 2; lane++) {
      code.push(
        ...op.get(O),
        ...op.get(A0 + a),
        ...op.f64x2Lane(lane),
        ...op.f32Demote,
        ...op.f32Store(4 * (2 * a + lane)),
      );
    }
  }
  code.push(
    ...op.get(COL),
    ...op.i32(width),
    ...op.i32Add,
    ...op.set(COL),
    ...op.br(0),
    ...op.end,
    ...op.end,
  );
  return code;
}

/** The last (odd) column, scalar float64. */
function scalarColumn(permuted: boolean): number[] {
  const code: number[] = [...op.get(COL), ...op.get(K), ...op.i32LtS, ...op.if];
  code.push(...op.f64Const0, ...op.set(ACC), ...op.get(START), ...op.set(P));
  code.push(...op.block, ...op.loop);
  code.push(...exitIf(op.get(P), op.get(END), op.i32GeS, 1));
  code.push(...entryValue(permuted), ...op.set(V), ...rowBase);
  code.push(
    ...op.get(ACC),
    ...op.get(V),
    ...op.get(BASE),
    ...op.f32Load(),
    ...op.f64Promote,
    ...op.f64Mul,
    ...op.f64Add,
    ...op.set(ACC),
  );
  code.push(...nextEntry);
  code.push(...outAddress, ...op.get(ACC), ...op.f32Demote, ...op.f32Store(), ...op.end);
  return code;
}

function functionBody(permuted: boolean): number[] {
  const code: number[] = [...op.i32(0), ...op.set(ROW), ...op.block, ...op.loop];
  code.push(...exitIf(op.get(ROW), op.get(N), op.i32GeS, 1));
  const ptr = [...op.get(INDPTR), ...op.get(ROW), ...op.i32(2), ...op.i32Shl, ...op.i32Add];
  code.push(...ptr, ...op.i32Load(), ...op.set(START), ...ptr, ...op.i32Load(4), ...op.set(END));
  code.push(...op.i32(0), ...op.set(COL));
  code.push(...simdChunk(permuted, 4), ...simdChunk(permuted, 1), ...scalarColumn(permuted));
  code.push(...op.get(ROW), ...op.i32(1), ...op.i32Add, ...op.set(ROW), ...op.br(0), ...op.end, ...op.end);
  code.push(...op.end);
  const locals = vec([
    [...uleb(7), I32],
    [...uleb(2), F64],
    [...uleb(5), V128],
  ]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/** The module: memory, `spmm(n, k, indptr, indices, perm, vals, b, out)` and `spmmPerm(...)`. */
export function spmmModuleBytes(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec(new Array<number[]>(8).fill([I32])), ...vec([])];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([type])),
    ...section(3, vec([[0], [0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(
      7,
      vec([
        [...name('spmm'), 0x00, 0],
        [...name('spmmPerm'), 0x00, 1],
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([functionBody(false), functionBody(true)])),
  ];
  return new Uint8Array(bytes);
}

// --- instances -------------------------------------------------------------------------------

interface WasmSpmm {
  memory: WebAssembly.Memory;
  spmm: (...args: number[]) => void;
  spmmPerm: (...args: number[]) => void;
}

let wasmState: WasmSpmm | null | undefined;
let forced: SpmmKernelName | undefined;

function wasmKernel(): WasmSpmm | null {
  if (wasmState !== undefined) return wasmState;
  wasmState = null;
  try {
    if (typeof WebAssembly === 'object') {
      const bytes = spmmModuleBytes();
      if (WebAssembly.validate(bytes)) {
        const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
        wasmState = instance.exports as unknown as WasmSpmm;
      }
    }
  } catch {
    wasmState = null; // no WebAssembly SIMD here: the JavaScript loop is used
  }
  return wasmState;
}

/** The implementation {@link spmmCsr} uses now. Internal. */
export function spmmKernelName(): SpmmKernelName {
  if (forced !== undefined) return forced;
  return wasmKernel() ? 'wasm-simd' : 'js';
}

/**
 * Forces one implementation (`undefined` = automatic: WebAssembly SIMD when available). For tests
 * and benchmarks comparing the two; internal.
 */
export function setSpmmKernel(kernel: SpmmKernelName | undefined): void {
  if (kernel === 'wasm-simd' && !wasmKernel())
    throw new Error('setSpmmKernel: WebAssembly SIMD is not available');
  forced = kernel;
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Structure arrays already copied into the module's memory, by identity. `SparseMatrix`
 * structure arrays are immutable (and shared by `withValues` copies), so a GCN's `X`, `Â` and
 * their transpose structures are copied once instead of at every product. The cached arrays sit
 * at the bottom of the memory, the per-call scratch (values, dense operand, output) above them;
 * when the cache would exceed {@link STRUCTURE_CACHE_BYTES} or {@link STRUCTURE_CACHE_ENTRIES}
 * arrays, it is emptied before the call's arrays are copied.
 */
const structureCache = new Map<Int32Array, number>();
let structureTop = 0;
const STRUCTURE_CACHE_ENTRIES = 16;
const STRUCTURE_CACHE_BYTES = 64 * 2 ** 20;

function ensureMemory(w: WasmSpmm, bytes: number): void {
  const have = w.memory.buffer.byteLength;
  if (bytes > have) w.memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Byte offsets of the structure arrays in the module's memory (copied there unless cached). */
function structureOffsets(w: WasmSpmm, arrays: Int32Array[]): number[] {
  const missing = arrays.filter((a, i) => !structureCache.has(a) && arrays.indexOf(a) === i);
  const bytes = missing.reduce((sum, a) => sum + align16(4 * a.length), 0);
  if (
    missing.length > 0 &&
    (structureCache.size + missing.length > STRUCTURE_CACHE_ENTRIES ||
      structureTop + bytes > STRUCTURE_CACHE_BYTES)
  ) {
    structureCache.clear();
    structureTop = 0;
    return structureOffsets(w, arrays); // everything is missing now, and nothing is evicted again
  }
  ensureMemory(w, structureTop + bytes);
  for (const a of missing) {
    new Int32Array(w.memory.buffer, structureTop, a.length).set(a);
    structureCache.set(a, structureTop);
    structureTop += align16(4 * a.length);
  }
  return arrays.map((a) => structureCache.get(a) as number);
}

function spmmWasm(
  w: WasmSpmm,
  rows: number,
  indptr: Int32Array,
  indices: Int32Array,
  perm: Int32Array | null,
  vals: Float32Array,
  b: Float32Array,
  k: number,
): Float32Array {
  const [pIndptr, pIndices, pPerm = 0] = structureOffsets(
    w,
    perm ? [indptr, indices, perm] : [indptr, indices],
  ) as [number, number, number?];
  const pVals = structureTop;
  const pB = align16(pVals + 4 * vals.length);
  const pOut = align16(pB + 4 * b.length);
  ensureMemory(w, pOut + 4 * rows * k);
  const buf = w.memory.buffer;
  new Float32Array(buf, pVals, vals.length).set(vals);
  new Float32Array(buf, pB, b.length).set(b);
  (perm ? w.spmmPerm : w.spmm)(rows, k, pIndptr, pIndices, pPerm, pVals, pB, pOut);
  return new Float32Array(buf, pOut, rows * k).slice();
}

function spmmJs(
  rows: number,
  indptr: Int32Array,
  indices: Int32Array,
  perm: Int32Array | null,
  valsIn: Float32Array,
  b: Float32Array,
  k: number,
): Float32Array {
  let vals = valsIn;
  if (perm) {
    vals = new Float32Array(indices.length);
    for (let q = 0; q < vals.length; q++) vals[q] = valsIn[perm[q] as number] as number;
  }
  const out = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) {
    const s = indptr[i] as number;
    const e = indptr[i + 1] as number;
    if (s === e) continue;
    const o = i * k;
    let c = 0;
    for (; c + 8 <= k; c += 8) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let a4 = 0;
      let a5 = 0;
      let a6 = 0;
      let a7 = 0;
      for (let p = s; p < e; p++) {
        const v = vals[p] as number;
        const off = (indices[p] as number) * k + c;
        a0 += v * (b[off] as number);
        a1 += v * (b[off + 1] as number);
        a2 += v * (b[off + 2] as number);
        a3 += v * (b[off + 3] as number);
        a4 += v * (b[off + 4] as number);
        a5 += v * (b[off + 5] as number);
        a6 += v * (b[off + 6] as number);
        a7 += v * (b[off + 7] as number);
      }
      out[o + c] = a0;
      out[o + c + 1] = a1;
      out[o + c + 2] = a2;
      out[o + c + 3] = a3;
      out[o + c + 4] = a4;
      out[o + c + 5] = a5;
      out[o + c + 6] = a6;
      out[o + c + 7] = a7;
    }
    for (; c + 4 <= k; c += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let p = s; p < e; p++) {
        const v = vals[p] as number;
        const off = (indices[p] as number) * k + c;
        a0 += v * (b[off] as number);
        a1 += v * (b[off + 1] as number);
        a2 += v * (b[off + 2] as number);
        a3 += v * (b[off + 3] as number);
      }
      out[o + c] = a0;
      out[o + c + 1] = a1;
      out[o + c + 2] = a2;
      out[o + c + 3] = a3;
    }
    for (; c < k; c++) {
      let a0 = 0;
      for (let p = s; p < e; p++) a0 += (vals[p] as number) * (b[(indices[p] as number) * k + c] as number);
      out[o + c] = a0;
    }
  }
  return out;
}

/**
 * `out[rows x k]`: row `i` is `sum_p v_p * b[indices[p] * k .. + k]` over `p` in
 * `[indptr[i], indptr[i + 1])` (`indptr.length === rows + 1`), where `v_p = vals[p]`, or `vals[perm[p]]` when `perm` is given
 * (a transpose structure over the original values). float64 accumulation in entry order; the
 * inputs are not modified. `indptr`, `indices` and `perm` must never be modified afterwards
 * (they are cached by identity, as `SparseMatrix` structures are immutable). Internal.
 */
export function spmmCsr(
  rows: number,
  indptr: Int32Array,
  indices: Int32Array,
  perm: Int32Array | null,
  vals: Float32Array,
  b: Float32Array,
  k: number,
): Float32Array {
  if (rows === 0 || k === 0) return new Float32Array(rows * k);
  const w = forced === 'js' ? null : wasmKernel();
  if (w) return spmmWasm(w, rows, indptr, indices, perm, vals, b, k);
  return spmmJs(rows, indptr, indices, perm, vals, b, k);
}
