/**
 * A small SVD in plain TypeScript, for the latent cache's post-hoc factoring of 128 × 128 projections.
 *
 * W = U·diag(s)·Vᵀ comes from the eigendecomposition of the symmetric WᵀW = V·diag(s²)·Vᵀ, by cyclic
 * Jacobi rotations (Golub & Van Loan, §8.5): each rotation zeroes one off-diagonal pair, and sweeps
 * repeat until the off-diagonal mass is negligible. O(n³) per sweep, float64 throughout; ample for
 * n = 128 (a few sweeps). Squaring W loses the smallest singular values' relative accuracy, which
 * the latent cache does not need: it keeps the largest ones.
 */

/** Eigenvalues (descending) and eigenvectors (column j of the row-major n × n `vectors` goes with values[j]). */
export interface Eigen {
  values: Float64Array;
  vectors: Float64Array;
}

/** Eigendecomposition of a symmetric n × n matrix (row-major; only its symmetric part is used). */
export function symmetricEigen(matrix: ArrayLike<number>, n: number, maxSweeps = 60): Eigen {
  if (matrix.length !== n * n) throw new RangeError(`expected ${n}×${n} = ${n * n} values, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const total = a.reduce((s, x) => s + x * x, 0);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) rotate(a, v, n, p, q);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let r = 0; r < n; r++) vectors[r * n + dst] = v[r * n + src];
  });
  return { values, vectors };
}

/** One Jacobi rotation in the (p, q) plane: A ← JᵀAJ with A[p][q] = 0 after it, V ← VJ. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q];
  if (apq === 0) return;
  const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const [akp, akq] = [a[k * n + p], a[k * n + q]];
    a[k * n + p] = c * akp - s * akq; // columns p and q of A·J
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const [apk, aqk] = [a[p * n + k], a[q * n + k]];
    a[p * n + k] = c * apk - s * aqk; // rows p and q of Jᵀ·(A·J)
    a[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const [vkp, vkq] = [v[k * n + p], v[k * n + q]];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/** W = U·diag(s)·Vᵀ for a row-major m × n matrix: s descending [n], U [m × n], V [n × n], both row-major. */
export interface SVD {
  s: Float64Array;
  u: Float64Array;
  v: Float64Array;
}

export function svd(w: ArrayLike<number>, m: number, n: number): SVD {
  if (w.length !== m * n) throw new RangeError(`expected ${m}×${n} = ${m * n} values, got ${w.length}`);
  const wtw = new Float64Array(n * n); // WᵀW [n, n]
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let r = 0; r < m; r++) sum += w[r * n + i] * w[r * n + j];
      wtw[i * n + j] = wtw[j * n + i] = sum;
    }
  }
  const { values, vectors: v } = symmetricEigen(wtw, n);
  const s = values.map((x) => Math.sqrt(Math.max(0, x)));
  const u = new Float64Array(m * n); // column j = W·v_j / s_j (left at 0 where s_j = 0)
  for (let j = 0; j < n; j++) {
    if (s[j] === 0) continue;
    for (let r = 0; r < m; r++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += w[r * n + k] * v[k * n + j];
      u[r * n + j] = sum / s[j];
    }
  }
  return { s, u, v };
}
