/*
 * rl-core's float32 compute kernels for WebAssembly SIMD (128-bit), built twice by
 * `pnpm --filter @marlts/rl-core build:kernels` (clang ≥ 16 --target=wasm32 -msimd128, and
 * again with -mrelaxed-simd -DRELAXED) into `kernels-binary.ts`. Pointers are byte offsets into the imported (shared) memory; matrices
 * are row-major. No libc, no static data, no stack: every instance (one per thread) runs on
 * the same memory without clashing.
 *
 * Why not tfjs: on 256-wide layers a hand-blocked 4x8 kernel runs at ~40 GFLOP/s on one
 * core against ~25 for tfjs-wasm's matMul, tfjs adds several µs per kernel call, and a
 * batch-1 forward pass through tfjs costs three kernel launches plus a readback (~40 µs).
 *
 * Each output element is summed in the same order whatever the row range a call covers,
 * so splitting rows across threads gives bit-identical results.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
typedef float f32;

enum { ACC = 1, RELU = 2 };

/*
 * c + a·b. The relaxed-SIMD build (-DRELAXED, used where the runtime validates relaxed SIMD:
 * Node ≥ 22) lets the engine fuse it into one FMA, which on x64 runs the products ~1.3-1.4x
 * faster because the loop is bound by instruction issue, not arithmetic. Fused or not is
 * fixed per machine and runtime, so a run stays reproducible there.
 */
#ifdef RELAXED
#define MADD(c, a, b) __builtin_wasm_relaxed_madd_f32x4((a), (b), (c))
#else
#define MADD(c, a, b) wasm_f32x4_add((c), wasm_f32x4_mul((a), (b)))
#endif

static inline v128_t epilogue(v128_t acc, const f32* c, const f32* bias, int flags) {
  if (flags & ACC) acc = wasm_f32x4_add(acc, wasm_v128_load(c));
  if (bias) acc = wasm_f32x4_add(acc, wasm_v128_load(bias));
  if (flags & RELU) acc = wasm_f32x4_max(acc, wasm_f32x4_splat(0));
  return acc;
}

static inline f32 epilogue1(f32 acc, const f32* c, const f32* bias, int flags) {
  if (flags & ACC) acc += *c;
  if (bias) acc += *bias;
  if ((flags & RELU) && !(acc > 0)) acc = 0;
  return acc;
}

/*
 * C[m,n] = A·B (+ C if flags&ACC) (+ bias[n]) (ReLU if flags&RELU), with A(i,p) =
 * A[i*sai + p*sap] (so A or Aᵀ), B row-major with stride ldb, C with stride ldc.
 * 4x8 register tiles; leftover rows in 1x8 tiles; leftover columns (n % 8) element-wise,
 * vectorised over four rows when A is column-contiguous (sai == 1, the Xᵀ·dZ case).
 */
EXPORT(gemm)
void gemm(int m, int n, int k, const f32* A, int sai, int sap, const f32* B, int ldb, f32* C, int ldc,
          const f32* bias, int flags) {
  const int n8 = n & ~7;
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    const f32* a0 = A + i * sai;
    const f32* a1 = a0 + sai;
    const f32* a2 = a1 + sai;
    const f32* a3 = a2 + sai;
    for (int j = 0; j < n8; j += 8) {
      v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
      v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const f32* b = B + j;
      for (int p = 0; p < k; p++) {
        const v128_t b0 = wasm_v128_load(b);
        const v128_t b1 = wasm_v128_load(b + 4);
        b += ldb;
        const int o = p * sap;
        const v128_t x0 = wasm_f32x4_splat(a0[o]);
        const v128_t x1 = wasm_f32x4_splat(a1[o]);
        const v128_t x2 = wasm_f32x4_splat(a2[o]);
        const v128_t x3 = wasm_f32x4_splat(a3[o]);
        c00 = MADD(c00, x0, b0);
        c01 = MADD(c01, x0, b1);
        c10 = MADD(c10, x1, b0);
        c11 = MADD(c11, x1, b1);
        c20 = MADD(c20, x2, b0);
        c21 = MADD(c21, x2, b1);
        c30 = MADD(c30, x3, b0);
        c31 = MADD(c31, x3, b1);
      }
      f32* c = C + i * ldc + j;
      const f32* bj = bias ? bias + j : 0;
      const f32* bj4 = bias ? bias + j + 4 : 0;
      wasm_v128_store(c, epilogue(c00, c, bj, flags));
      wasm_v128_store(c + 4, epilogue(c01, c + 4, bj4, flags));
      c += ldc;
      wasm_v128_store(c, epilogue(c10, c, bj, flags));
      wasm_v128_store(c + 4, epilogue(c11, c + 4, bj4, flags));
      c += ldc;
      wasm_v128_store(c, epilogue(c20, c, bj, flags));
      wasm_v128_store(c + 4, epilogue(c21, c + 4, bj4, flags));
      c += ldc;
      wasm_v128_store(c, epilogue(c30, c, bj, flags));
      wasm_v128_store(c + 4, epilogue(c31, c + 4, bj4, flags));
    }
  }
  for (; i < m; i++) {
    const f32* a = A + i * sai;
    int j = 0;
    for (; j + 32 <= n8; j += 32) {
      v128_t c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
      const f32* b = B + j;
      for (int p = 0; p < k; p++) {
        const v128_t x = wasm_f32x4_splat(a[p * sap]);
        c0 = MADD(c0, x, wasm_v128_load(b));
        c1 = MADD(c1, x, wasm_v128_load(b + 4));
        c2 = MADD(c2, x, wasm_v128_load(b + 8));
        c3 = MADD(c3, x, wasm_v128_load(b + 12));
        c4 = MADD(c4, x, wasm_v128_load(b + 16));
        c5 = MADD(c5, x, wasm_v128_load(b + 20));
        c6 = MADD(c6, x, wasm_v128_load(b + 24));
        c7 = MADD(c7, x, wasm_v128_load(b + 28));
        b += ldb;
      }
      f32* c = C + i * ldc + j;
      v128_t acc[8] = {c0, c1, c2, c3, c4, c5, c6, c7};
      for (int q = 0; q < 8; q++)
        wasm_v128_store(c + 4 * q, epilogue(acc[q], c + 4 * q, bias ? bias + j + 4 * q : 0, flags));
    }
    for (; j < n8; j += 8) {
      v128_t c0 = wasm_f32x4_splat(0), c1 = c0;
      const f32* b = B + j;
      for (int p = 0; p < k; p++) {
        const v128_t x = wasm_f32x4_splat(a[p * sap]);
        c0 = MADD(c0, x, wasm_v128_load(b));
        c1 = MADD(c1, x, wasm_v128_load(b + 4));
        b += ldb;
      }
      f32* c = C + i * ldc + j;
      wasm_v128_store(c, epilogue(c0, c, bias ? bias + j : 0, flags));
      wasm_v128_store(c + 4, epilogue(c1, c + 4, bias ? bias + j + 4 : 0, flags));
    }
  }
  if (n8 == n) return;
  i = 0;
  if (sai == 1) {
    for (; i + 4 <= m; i += 4) {
      for (int j = n8; j < n; j++) {
        v128_t acc = wasm_f32x4_splat(0);
        for (int p = 0; p < k; p++)
          acc = MADD(acc, wasm_v128_load(A + i + p * sap), wasm_f32x4_splat(B[p * ldb + j]));
        for (int r = 0; r < 4; r++) {
          f32* c = C + (i + r) * ldc + j;
          *c = epilogue1(wasm_f32x4_extract_lane(acc, 0), c, bias ? bias + j : 0, flags);
          acc = wasm_i32x4_shuffle(acc, acc, 1, 2, 3, 0);
        }
      }
    }
  }
  for (; i < m; i++) {
    for (int j = n8; j < n; j++) {
      f32 acc = 0;
      for (int p = 0; p < k; p++) acc += A[i * sai + p * sap] * B[p * ldb + j];
      f32* c = C + i * ldc + j;
      *c = epilogue1(acc, c, bias ? bias + j : 0, flags);
    }
  }
}

/*
 * C[m,n] = A·Bᵀ (+ C) (+ bias) (ReLU) with A [m,k] (stride lda) and B [n,k] (stride ldb):
 * dot products along contiguous rows, for narrow outputs (heads with n < 8, and dX of the
 * input layer, whose weight rows are the dot operands).
 */
EXPORT(gemm_nt)
void gemm_nt(int m, int n, int k, const f32* A, int lda, const f32* B, int ldb, f32* C, int ldc,
             const f32* bias, int flags) {
  const int k4 = k & ~3;
  for (int i = 0; i < m; i++) {
    const f32* a = A + i * lda;
    for (int j = 0; j < n; j++) {
      const f32* b = B + j * ldb;
      v128_t acc = wasm_f32x4_splat(0);
      for (int p = 0; p < k4; p += 4)
        acc = MADD(acc, wasm_v128_load(a + p), wasm_v128_load(b + p));
      f32 s = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
              (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3));
      for (int p = k4; p < k; p++) s += a[p] * b[p];
      f32* c = C + i * ldc + j;
      *c = epilogue1(s, c, bias ? bias + j : 0, flags);
    }
  }
}

/* Y[cols, rows] = Xᵀ for X [rows, cols]. */
EXPORT(transpose)
void transpose(int rows, int cols, const f32* X, f32* Y) {
  for (int r0 = 0; r0 < rows; r0 += 16) {
    const int r1 = r0 + 16 < rows ? r0 + 16 : rows;
    for (int c0 = 0; c0 < cols; c0 += 16) {
      const int c1 = c0 + 16 < cols ? c0 + 16 : cols;
      for (int r = r0; r < r1; r++)
        for (int c = c0; c < c1; c++) Y[c * rows + r] = X[r * cols + c];
    }
  }
}

/* out[j] = Σ_i X[i, j] (bias gradients), summed in row order. */
EXPORT(col_sum)
void col_sum(int m, int n, const f32* X, f32* out) {
  const int n4 = n & ~3;
  for (int j = 0; j < n4; j += 4) {
    v128_t acc = wasm_f32x4_splat(0);
    for (int i = 0; i < m; i++) acc = wasm_f32x4_add(acc, wasm_v128_load(X + i * n + j));
    wasm_v128_store(out + j, acc);
  }
  for (int j = n4; j < n; j++) {
    f32 acc = 0;
    for (int i = 0; i < m; i++) acc += X[i * n + j];
    out[j] = acc;
  }
}

/* D[i] = H[i] > 0 ? D[i] : 0 (ReLU's derivative, from its output). */
EXPORT(relu_backward)
void relu_backward(int len, f32* D, const f32* H) {
  const int l4 = len & ~3;
  const v128_t zero = wasm_f32x4_splat(0);
  for (int i = 0; i < l4; i += 4)
    wasm_v128_store(D + i, wasm_v128_and(wasm_v128_load(D + i), wasm_f32x4_gt(wasm_v128_load(H + i), zero)));
  for (int i = l4; i < len; i++) D[i] = H[i] > 0 ? D[i] : 0;
}

/* e^x for |x| ≤ 18 (Cephes expf: range reduction by ln 2, degree-6 polynomial; ~1 ulp). */
static inline f32 exp_small(f32 x) {
  const f32 n = __builtin_floorf(1.44269504088896341f * x + 0.5f);
  x = x - n * 0.693359375f - n * -2.12194440e-4f;
  const f32 z = x * x;
  f32 y = ((((1.9875691500e-4f * x + 1.3981999507e-3f) * x + 8.3334519073e-3f) * x + 4.1665795894e-2f) * x +
           1.6666665459e-1f) * x + 5.0000001201e-1f;
  y = y * z + x + 1.0f;
  union { int i; f32 f; } scale = {((int)n + 127) << 23};
  return y * scale.f;
}

/* X[i] = tanh(X[i]) in place (Cephes tanhf; within ~2 ulp of Math.tanh rounded to float32). */
EXPORT(tanh_forward)
void tanh_forward(int len, f32* X) {
  for (int i = 0; i < len; i++) {
    const f32 x = X[i];
    const f32 a = x < 0 ? -x : x;
    f32 t;
    if (a >= 9.0f) {
      t = 1.0f;
    } else if (a >= 0.625f) {
      t = 1.0f - 2.0f / (exp_small(a + a) + 1.0f);
    } else {
      const f32 s = a * a;
      t = ((((-5.70498872745e-3f * s + 2.06390887954e-2f) * s - 5.37397155531e-2f) * s + 1.33314422036e-1f) * s -
           3.33332819422e-1f) * s * a + a;
    }
    X[i] = x < 0 ? -t : (x > 0 ? t : x);
  }
}

/* D[i] *= 1 − H[i]² (tanh's derivative, from its output). */
EXPORT(tanh_backward)
void tanh_backward(int len, f32* D, const f32* H) {
  for (int i = 0; i < len; i++) D[i] = D[i] * (1 - H[i] * H[i]);
}

/*
 * torch's Adam (`_single_tensor_adam`, float32): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * p ← p − stepSize·m/(√v/√(1−β₂ᵗ) + ε), stepSize = lr/(1−β₁ᵗ).
 */
EXPORT(adam)
void adam(int len, f32* P, const f32* G, f32* M, f32* V, f32 stepSize, f32 b1, f32 b2, f32 eps,
          f32 sqrtBc2) {
  const int l4 = len & ~3;
  const v128_t vb1 = wasm_f32x4_splat(b1), vb1c = wasm_f32x4_splat(1 - b1);
  const v128_t vb2 = wasm_f32x4_splat(b2), vb2c = wasm_f32x4_splat(1 - b2);
  const v128_t veps = wasm_f32x4_splat(eps), vbc = wasm_f32x4_splat(sqrtBc2), vss = wasm_f32x4_splat(stepSize);
  for (int i = 0; i < l4; i += 4) {
    const v128_t g = wasm_v128_load(G + i);
    const v128_t m = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(M + i), vb1), wasm_f32x4_mul(g, vb1c));
    const v128_t v =
        wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(V + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(g, g), vb2c));
    wasm_v128_store(M + i, m);
    wasm_v128_store(V + i, v);
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(v), vbc), veps);
    wasm_v128_store(P + i, wasm_f32x4_sub(wasm_v128_load(P + i), wasm_f32x4_mul(vss, wasm_f32x4_div(m, denom))));
  }
  for (int i = l4; i < len; i++) {
    const f32 g = G[i];
    const f32 m = M[i] * b1 + g * (1 - b1);
    const f32 v = V[i] * b2 + (g * g) * (1 - b2);
    M[i] = m;
    V[i] = v;
    P[i] = P[i] - stepSize * (m / (__builtin_sqrtf(v) / sqrtBc2 + eps));
  }
}

/* SB3's polyak_update in float32: T ← T·(1 − τ) + τ·S. */
EXPORT(polyak)
void polyak(int len, f32* T, const f32* S, f32 tau) {
  const int l4 = len & ~3;
  const v128_t keep = wasm_f32x4_splat(1 - tau), vt = wasm_f32x4_splat(tau);
  for (int i = 0; i < l4; i += 4)
    wasm_v128_store(T + i, wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(T + i), keep),
                                          wasm_f32x4_mul(wasm_v128_load(S + i), vt)));
  for (int i = l4; i < len; i++) T[i] = T[i] * (1 - tau) + S[i] * tau;
}

/* Σ X[i]² in float64 (a gradient norm); NaN or ∞ if any entry is. */
EXPORT(sum_sq)
double sum_sq(int len, const f32* X) {
  const int l4 = len & ~3;
  v128_t lo = wasm_f64x2_splat(0), hi = lo;
  for (int i = 0; i < l4; i += 4) {
    const v128_t x = wasm_v128_load(X + i);
    const v128_t a = wasm_f64x2_promote_low_f32x4(x);
    const v128_t b = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 0, 1));
    lo = wasm_f64x2_add(lo, wasm_f64x2_mul(a, a));
    hi = wasm_f64x2_add(hi, wasm_f64x2_mul(b, b));
  }
  double acc = (wasm_f64x2_extract_lane(lo, 0) + wasm_f64x2_extract_lane(lo, 1)) +
               (wasm_f64x2_extract_lane(hi, 0) + wasm_f64x2_extract_lane(hi, 1));
  for (int i = l4; i < len; i++) acc += (double)X[i] * (double)X[i];
  return acc;
}

/*
 * Runs a list of kernel calls: ops[0] = count, then per call a function id and 12 int
 * arguments (see OPS in wasm-kernels.ts). Lets one thread run a whole network pass from a
 * single job.
 */
EXPORT(run_ops)
void run_ops(const int* ops) {
  const int n = ops[0];
  const int* op = ops + 1;
  for (int i = 0; i < n; i++, op += 13) {
    const int* a = op + 1;
    switch (op[0]) {
      case 0: gemm(a[0], a[1], a[2], (const f32*)a[3], a[4], a[5], (const f32*)a[6], a[7], (f32*)a[8], a[9], (const f32*)a[10], a[11]); break;
      case 1: gemm_nt(a[0], a[1], a[2], (const f32*)a[3], a[4], (const f32*)a[5], a[6], (f32*)a[7], a[8], (const f32*)a[9], a[10]); break;
      case 2: transpose(a[0], a[1], (const f32*)a[2], (f32*)a[3]); break;
      case 3: col_sum(a[0], a[1], (const f32*)a[2], (f32*)a[3]); break;
      case 4: relu_backward(a[0], (f32*)a[1], (const f32*)a[2]); break;
      case 5: tanh_backward(a[0], (f32*)a[1], (const f32*)a[2]); break;
      case 6: tanh_forward(a[0], (f32*)a[1]); break;
    }
  }
}
