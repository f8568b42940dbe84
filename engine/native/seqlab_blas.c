/*
 * seqlab's optional native GEMM backend: the engine's batched, strided, transposed
 * products (kernels/gemm.ts: GemmBatchedArgs) on OpenBLAS, reading and writing the
 * engine's Float32Arrays (or Float64Arrays) in place, with no copies.
 *
 * Built by engine/native/build.mjs from Debian's libopenblas-dev with the system C
 * compiler, against Node-API only (no node-gyp, no downloaded headers). The engine loads
 * it through the Node kernel host when it exists; everywhere else (a browser, a machine
 * without a compiler or OpenBLAS) the wasm kernels run the same products.
 *
 * Every call is validated here again (sizes, leading dimensions, the spans each operand
 * reads or writes against its array's length), so a bad call throws a JavaScript error
 * and can never read or write outside the arrays.
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* The layout of the parameter block (a Float64Array the caller fills before each call). */
enum {
  P_TRANS_A, P_TRANS_B, P_M, P_N, P_K,
  P_A_OFF, P_LDA, P_SA, P_OA,
  P_B_OFF, P_LDB, P_SB, P_OB,
  P_C_OFF, P_LDC, P_SC, P_OC,
  P_BATCH, P_OUTER, P_ACCUMULATE, P_BIAS_OFF,
  P_COUNT
};

#define CHECK(call)                                            \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      napi_throw_error(env, NULL, "seqlab native: " #call);    \
      return NULL;                                             \
    }                                                          \
  } while (0)

static napi_value fail(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

typedef struct {
  napi_typedarray_type type;
  void *data;
  int64_t length;
} View;

/* Reads a typed array argument; `optional` accepts null/undefined (data = NULL). */
static int view_of(napi_env env, napi_value v, View *out, int optional) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (optional && (t == napi_null || t == napi_undefined)) {
    out->data = NULL;
    out->length = 0;
    return 1;
  }
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  size_t length;
  napi_value buffer;
  size_t byte_offset;
  if (napi_get_typedarray_info(env, v, &out->type, &length, &out->data, &buffer, &byte_offset) != napi_ok) return 0;
  out->length = (int64_t)length;
  return 1;
}

/* Elements from an operand's first used element to its last, or -1 for an invalid layout. */
static int64_t span_end(int64_t offset, int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch, int64_t outer_stride, int64_t outer) {
  if (rows == 0 || cols == 0) return offset;
  return offset + (outer - 1) * outer_stride + (batch - 1) * stride + (rows - 1) * ld + cols;
}

/*
 * One product of element type T on BLAS's GEMM: C = op(A) op(B) (+ C when accumulating),
 * then + bias on every row when bias is not NULL. K = 0 leaves zeros (or C) without a BLAS
 * call, whose argument checks refuse it. ld* are at least the row lengths (and 1).
 */
#define DEFINE_PRODUCT(NAME, T, GEMM)                                                                          \
  static void NAME(enum CBLAS_TRANSPOSE tA, enum CBLAS_TRANSPOSE tB, int64_t M, int64_t N, int64_t K,          \
                   const T *a, int64_t lda, const T *b, int64_t ldb, T *c, int64_t ldc, int accumulate,         \
                   const T *bias) {                                                                            \
    if (K == 0) {                                                                                              \
      if (!accumulate) for (int64_t m = 0; m < M; m++) memset(c + m * ldc, 0, (size_t)N * sizeof(T));          \
    } else {                                                                                                   \
      GEMM(CblasRowMajor, tA, tB, (blasint)M, (blasint)N, (blasint)K, (T)1, a, (blasint)lda, b, (blasint)ldb,  \
           accumulate ? (T)1 : (T)0, c, (blasint)ldc);                                                         \
    }                                                                                                          \
    if (bias == NULL) return;                                                                                  \
    for (int64_t m = 0; m < M; m++) {                                                                          \
      T *row = c + m * ldc;                                                                                    \
      for (int64_t n = 0; n < N; n++) row[n] += bias[n];                                                       \
    }                                                                                                          \
  }

DEFINE_PRODUCT(product_f32, float, cblas_sgemm)
DEFINE_PRODUCT(product_f64, double, cblas_dgemm)

/*
 * gemm(params: Float64Array(P_COUNT), A, B, C, bias | null): C[o, i] = op(A[o, i]) op(B[o, i])
 * (+ C when accumulating, + bias per row otherwise), for every group o < outer and product
 * i < batch, each operand at offset + o * outer stride + i * stride. The arrays must all be
 * Float32Array or all Float64Array.
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) return fail(env, "seqlab native gemm: expected (params, A, B, C, bias)");
  View P, A, B, C, bias;
  if (!view_of(env, argv[0], &P, 0) || P.type != napi_float64_array || P.length < P_COUNT) {
    return fail(env, "seqlab native gemm: params must be a Float64Array of the parameter block");
  }
  if (!view_of(env, argv[1], &A, 0) || !view_of(env, argv[2], &B, 0) || !view_of(env, argv[3], &C, 0) ||
      (argc > 4 ? !view_of(env, argv[4], &bias, 1) : (bias.data = NULL, bias.length = 0, 0))) {
    return fail(env, "seqlab native gemm: A, B and C must be typed arrays (bias a typed array or null)");
  }
  const int f32 = C.type == napi_float32_array;
  if ((!f32 && C.type != napi_float64_array) || A.type != C.type || B.type != C.type || (bias.data != NULL && bias.type != C.type)) {
    return fail(env, "seqlab native gemm: A, B, C (and bias) must all be Float32Array or all Float64Array");
  }
  const double *p = (const double *)P.data;
  int64_t v[P_COUNT];
  for (int i = 0; i < P_COUNT; i++) {
    if (!(p[i] >= -9007199254740991.0 && p[i] <= 9007199254740991.0) || p[i] != (double)(int64_t)p[i]) {
      return fail(env, "seqlab native gemm: every parameter must be an integer");
    }
    v[i] = (int64_t)p[i];
  }
  const int transA = v[P_TRANS_A] != 0, transB = v[P_TRANS_B] != 0, accumulate = v[P_ACCUMULATE] != 0;
  const int64_t M = v[P_M], N = v[P_N], K = v[P_K], batch = v[P_BATCH], outer = v[P_OUTER];
  const int64_t lda = v[P_LDA], ldb = v[P_LDB], ldc = v[P_LDC];
  for (int i = 0; i < P_COUNT; i++) {
    if (v[i] < 0 || v[i] > INT32_MAX) return fail(env, "seqlab native gemm: sizes, offsets and strides must be in [0, 2^31)");
  }
  const int64_t aRows = transA ? K : M, aCols = transA ? M : K;
  const int64_t bRows = transB ? N : K, bCols = transB ? K : N;
  /* A leading dimension matters only when there is more than one row. */
  if ((aRows > 1 && lda < aCols) || (bRows > 1 && ldb < bCols) || (M > 1 && ldc < N)) {
    return fail(env, "seqlab native gemm: a leading dimension is smaller than its matrix's row");
  }
  if (M == 0 || N == 0 || batch == 0 || outer == 0) return NULL;
  if (span_end(v[P_A_OFF], aRows, aCols, lda, v[P_SA], batch, v[P_OA], outer) > A.length ||
      span_end(v[P_B_OFF], bRows, bCols, ldb, v[P_SB], batch, v[P_OB], outer) > B.length ||
      span_end(v[P_C_OFF], M, N, ldc, v[P_SC], batch, v[P_OC], outer) > C.length) {
    return fail(env, "seqlab native gemm: an operand's matrices reach past the end of its array");
  }
  if (bias.data != NULL) {
    if (accumulate) return fail(env, "seqlab native gemm: a row bias cannot be combined with accumulate");
    if (v[P_BIAS_OFF] + N > bias.length) return fail(env, "seqlab native gemm: the row bias is shorter than N");
  }
  /* BLAS checks every leading dimension against max(1, columns) even for one row (whose
     leading dimension addresses nothing, so raising it changes nothing). */
  const int64_t LDA = lda > aCols ? lda : (aCols > 1 ? aCols : 1);
  const int64_t LDB = ldb > bCols ? ldb : (bCols > 1 ? bCols : 1);
  const int64_t LDC = ldc > N ? ldc : N;
  const enum CBLAS_TRANSPOSE tA = transA ? CblasTrans : CblasNoTrans, tB = transB ? CblasTrans : CblasNoTrans;
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < batch; i++) {
      const int64_t ao = v[P_A_OFF] + o * v[P_OA] + i * v[P_SA];
      const int64_t bo = v[P_B_OFF] + o * v[P_OB] + i * v[P_SB];
      const int64_t co = v[P_C_OFF] + o * v[P_OC] + i * v[P_SC];
      if (f32) {
        product_f32(tA, tB, M, N, K, (const float *)A.data + ao, LDA, (const float *)B.data + bo, LDB, (float *)C.data + co, LDC,
                    accumulate, bias.data == NULL ? NULL : (const float *)bias.data + v[P_BIAS_OFF]);
      } else {
        product_f64(tA, tB, M, N, K, (const double *)A.data + ao, LDA, (const double *)B.data + bo, LDB, (double *)C.data + co, LDC,
                    accumulate, bias.data == NULL ? NULL : (const double *)bias.data + v[P_BIAS_OFF]);
      }
    }
  }
  return NULL;
}

/* setThreads(n): OpenBLAS's threads per product (the caller included). */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    return fail(env, "seqlab native setThreads: expected a positive integer");
  }
  openblas_set_num_threads(n);
  return NULL;
}

/* info(): { threads, config, core } of the loaded OpenBLAS. */
static napi_value blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, threads, config, core;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &threads));
  const char *cfg = openblas_get_config();
  const char *name = openblas_get_corename();
  CHECK(napi_create_string_utf8(env, cfg ? cfg : "", NAPI_AUTO_LENGTH, &config));
  CHECK(napi_create_string_utf8(env, name ? name : "", NAPI_AUTO_LENGTH, &core));
  CHECK(napi_set_named_property(env, out, "threads", threads));
  CHECK(napi_set_named_property(env, out, "config", config));
  CHECK(napi_set_named_property(env, out, "core", core));
  return out;
}

/*
 * tuneMalloc(mmapThreshold, trimThreshold, topPad): glibc's malloc keeps blocks up to
 * mmapThreshold bytes in its heap instead of mapping fresh pages for each (V8 allocates
 * every tensor's buffer with calloc), keeps up to trimThreshold bytes of freed heap, and
 * grows the heap topPad bytes at a time. A step's fresh outputs then reuse memory that is
 * already mapped, instead of taking a page fault on every 4 KiB of every new buffer.
 * Returns false where the C library is not glibc (nothing changes).
 */
static napi_value tune_malloc(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t v[3] = {0, 0, 0};
  for (size_t i = 0; i < 3; i++) {
    if (i >= argc || napi_get_value_int32(env, argv[i], &v[i]) != napi_ok || v[i] < 0) {
      return fail(env, "seqlab native tuneMalloc: expected three byte counts (non-negative 32-bit integers)");
    }
  }
  bool ok = false;
#ifdef __GLIBC__
  ok = mallopt(M_MMAP_THRESHOLD, v[0]) == 1 && mallopt(M_TRIM_THRESHOLD, v[1]) == 1 && mallopt(M_TOP_PAD, v[2]) == 1;
#endif
  napi_value out;
  CHECK(napi_get_boolean(env, ok, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"info", NULL, blas_info, NULL, NULL, NULL, napi_default, NULL},
    {"tuneMalloc", NULL, tune_malloc, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value count;
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  CHECK(napi_create_int32(env, P_COUNT, &count));
  CHECK(napi_set_named_property(env, exports, "paramCount", count));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
