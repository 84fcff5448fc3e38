import { ShapeError } from '../errors/errors.js';

/**
 * A dense float64 matrix, row-major: element (i, j) is `data[i * cols + j]`.
 * Plain data, no methods, so that it crosses worker and wasm boundaries as a typed array.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A `rows x cols` matrix of zeros. */
export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Wraps a row-major buffer; its length must be `rows * cols`. */
export function matrix(rows: number, cols: number, data: Float64Array): Matrix {
  if (data.length !== rows * cols) {
    throw new ShapeError(`matrix: expected ${rows * cols} values for ${rows} x ${cols}, got ${data.length}`);
  }
  return { rows, cols, data };
}

/** The `n x n` identity. */
export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** From nested rows (`n x d`); throws ShapeError on ragged input. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const n = rows.length;
  const d = n > 0 ? rows[0]!.length : 0;
  const out = zeros(n, d);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length !== d) throw new ShapeError(`fromRows: row ${i} has ${r.length} entries, row 0 has ${d}`);
    for (let j = 0; j < d; j++) out.data[i * d + j] = r[j]!;
  }
  return out;
}

/** To nested rows. */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

/** Element (i, j). */
export function at(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j]!;
}

/** A copy. */
export function clone(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.slice() };
}

/** The transpose `cols x rows`. */
export function transpose(m: Matrix): Matrix {
  const out = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j]!;
  return out;
}

/** Row i as a view (no copy). */
export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
