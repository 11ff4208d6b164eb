/* losslab native kernels: the overlap statistics of softmax (class-index targets) and sigmoid (masks)
 * activations, the softmax focal loss (class-index targets), the sigmoid focal loss, and their backward.
 *
 * The softmax kernels keep nothing between forward and backward: the forward reads the logits and the
 * target and writes only the per-(image, class) sums; the backward recomputes the softmax from the logits
 * (saved anyway) and writes the gradient into a fresh tensor. The sigmoid kernels write p in the forward and
 * turn it into the gradient in place: a sigmoid is cheap to store and costly (a division) to recompute, and
 * the in-place pass measured faster. For the softmax the recompute measured as fast as the in-place pass (and
 * lets the 2-4-class blocks below keep a pixel's softmax in registers), and it holds one logits-sized tensor
 * less between forward and backward.
 *
 * Softmax: x is (N, C, S) contiguous, t (N, S) int64; a pixel whose t equals `ignore` counts nowhere, any
 * other t is its class. Work is split into blocks of pixels of one image (about 16 KB of exponentials); per
 * block the softmax over the C channels is formed with an inlined vector exp, then:
 *   forward:  per (image, class) in float64
 *             inter += p_t [t = c],  mass += p_c (p_c² when squared),  size += [t = c],
 *             nll += (log Σ exp(x − m) + m − x_t) [t = c]   (nll may be NULL),
 *             and range = (min, max) of the counted t, which the caller checks against [0, C);
 *   backward: grad_c = p_c (h_c − r) + [t = c] b,  h_c = g_P,c (2 p_c g_P,c when squared),
 *             b = p_t g_I,t − g_L,t,  r = Σ_c p_c h_c + b     (0 at ignored pixels).
 * Each function is compiled for float and double (the 2-4-class blocks for float only); nthreads is
 * losslab._native.threads(numel): torch.get_num_threads(), 1 below 32768 elements.
 */
#if defined(LOSSLAB_MVEC512)  /* glibc's AVX-512 vector math: _ZGVeN16v_expf, ... */
#pragma omp declare simd notinbranch simdlen(16)
float expf(float);
#pragma omp declare simd notinbranch simdlen(16)
float logf(float);
#pragma omp declare simd notinbranch simdlen(8)
double exp(double);
#pragma omp declare simd notinbranch simdlen(8)
double log(double);
#elif defined(LOSSLAB_MVEC)  /* glibc's AVX2 vector math: _ZGVdN8v_expf, ... */
#pragma omp declare simd notinbranch simdlen(8)
float expf(float);
#pragma omp declare simd notinbranch simdlen(8)
float logf(float);
#pragma omp declare simd notinbranch simdlen(4)
double exp(double);
#pragma omp declare simd notinbranch simdlen(4)
double log(double);
#endif

#include <math.h>
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#else
static inline int omp_get_thread_num(void) { return 0; }
#endif
#include <stdlib.h>
#include <string.h>

/* elements per block of the sigmoid kernels, whose float partial sums are added to the row's double ones:
 * 2048 measured 20% faster forward than 256 (fewer block reductions), 2-D and 3-D benchmark shapes */
#define _B 2048

/* exp(x) for x <= 0 in float, inlined so that loops vectorise without a vector math library: Cody-Waite
 * reduction x = k ln2 + r, |r| <= ln2/2, and Cephes' degree-6 polynomial for e^r (max relative error
 * about 1e-7, as libm's expf); 0 below -87.33, where e^x leaves the normal floats. */
static inline float exp_nonpositive_f(float x) {
    const float xc = x < -87.33f ? -87.33f : x;
    const float k = (xc * 1.44269504089f + 12582912.0f) - 12582912.0f; /* round to nearest */
    const float r = (xc - k * 0.693359375f) - k * -2.12194440e-4f;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * r * r + r + 1.0f;
    union { int32_t i; float f; } scale = { .i = ((int32_t)k + 127) << 23 };
    return x < -87.33f ? 0.0f : y * scale.f;
}

static inline double exp_nonpositive_d(double x) { return exp(x); }

/* pixels per block: about 4096 exponentials, a multiple of 16 in [64, 1024], at most the S of an image (the
 * work buffers hold C + 4 rows of a block per thread) */
static int64_t block_len(int64_t C, int64_t S) {
    const int64_t b = 4096 / (C > 0 ? C : 1), len = (b < 64 ? 64 : b > 1024 ? 1024 : b) & ~(int64_t)15;
    return S < len ? (S > 0 ? S : 1) : len;
}

/* Specialised float32 softmax blocks for C = 2, 3, 4 classes: a pixel's logits, exponentials and
 * probabilities stay in registers. The backward is then one pass over the block instead of about 3C passes
 * over block buffers; the forward writes the exponentials for the per-class sums that follow (summing in the
 * same loop measured 15% slower: too many accumulators). Forward + backward measured 1.2x (C = 2), 1.4x
 * (C = 3), 1.3x and 1.5x (C = 4; the 2-D and 3-D benchmark shapes) faster than the general blocks; from
 * C = 5 on the registers run out and it was no faster (C = 5 to 7) or slower (C = 8). X-macros spell out
 * the per-class scalars: EACH_K(X) is X(0) .. X(K-1). The loops call no library function (exp is inlined):
 * a float64 version calling glibc's vector exp and log in such loops gave wrong sums with GCC 12, so float64
 * (tests, gradcheck) keeps the general blocks. */
#define EACH_2(X) X(0) X(1)
#define EACH_3(X) EACH_2(X) X(2)
#define EACH_4(X) EACH_3(X) X(3)
#define PRAGMA(...) _Pragma(#__VA_ARGS__)

#define K_LOAD(c) const float a##c = xb[c * S + s];
#define K_MAX(c) mx = a##c > mx ? a##c : mx;
#define K_EXPS(c) const float p##c = exp_nonpositive_f(a##c - mx); sum += p##c;
#define K_STORE(c) e[c * B + s] = p##c;
#define K_PROB(c) const float q##c = p##c * inv;
#define K_GRADS(c) const float gi##c = g_inter[c], gl##c = g_nll ? g_nll[c] : 0.0f,                       \
                 g2##c = squared ? 2 * g_mass[c] : 0.0f, g1##c = squared ? 0.0f : g_mass[c];
#define K_GRAD_B(c) b += tv[s] == c ? q##c * gi##c - gl##c : 0.0f;
#define K_GRAD_R(c) r += q##c * (g2##c * q##c + g1##c);
#define K_GRAD_W(c) gb[c * S + s] = q##c * (g2##c * q##c + g1##c - r) + (tv[s] == c ? b : 0.0f);
/* exp(x − mx) of pixel s into p0 .. p(K-1), their sum into `sum` */
#define EXP_PIXEL(K) EACH_##K(K_LOAD) float mx = a0, sum = 0; EACH_##K(K_MAX) EACH_##K(K_EXPS)

#define DEFINE_FIXED(K)                                                                                   \
/* as the first part of softmax_block: e (K rows of B) = exp(x − m), m = max, den = Σ_c e_c */            \
static void exps_k##K(const float* xb, int64_t S, int64_t len, int64_t B, float* e, float* m, float* den) { \
    _Pragma("omp simd")                                                                                   \
    for (int64_t s = 0; s < len; s++) {                                                                   \
        EXP_PIXEL(K)                                                                                      \
        EACH_##K(K_STORE)                                                                                 \
        m[s] = mx;                                                                                        \
        den[s] = sum;                                                                                     \
    }                                                                                                     \
}                                                                                                         \
/* the whole backward of a block (see softmax_index_backward) */                                          \
static void grad_k##K(const float* xb, const int32_t* tv, int64_t S, int64_t len, int squared,            \
                      const float* g_inter, const float* g_mass, const float* g_nll, float* gb) {         \
    EACH_##K(K_GRADS)                                                                                     \
    _Pragma("omp simd")                                                                                   \
    for (int64_t s = 0; s < len; s++) {                                                                   \
        EXP_PIXEL(K)                                                                                      \
        const float inv = (tv[s] >= 0 ? 1.0f : 0.0f) / sum;                                               \
        EACH_##K(K_PROB)                                                                                  \
        float b = 0;                                                                                      \
        EACH_##K(K_GRAD_B)                                                                                \
        float r = b;                                                                                      \
        EACH_##K(K_GRAD_R)                                                                                \
        EACH_##K(K_GRAD_W)                                                                                \
    }                                                                                                     \
}

DEFINE_FIXED(2) DEFINE_FIXED(3) DEFINE_FIXED(4)

/* The focal loss's blocks (see softmax_focal_forward / _backward). Forward: m = max, den = Σ_c e_c,
 * xt = x_t, et = e_t, rest = Σ_{c≠t} e_c; backward: grad_c = k g (p_c − [t = c]). */
#define K_FOCAL_T(c) xt += tv[s] == c ? a##c : 0.0f; et += tv[s] == c ? p##c : 0.0f;                        \
                     rest += tv[s] == c ? 0.0f : p##c;
#define K_FOCAL_W(c) gb[c * S + s] = w * (p##c * inv - (tv[s] == c ? 1.0f : 0.0f));
#define DEFINE_FOCAL_FIXED(K)                                                                             \
static void focal_exps_k##K(const float* xb, const int32_t* tv, int64_t S, int64_t len, float* m,         \
                            float* den, float* xto, float* eto, float* resto) {                           \
    _Pragma("omp simd")                                                                                   \
    for (int64_t s = 0; s < len; s++) {                                                                   \
        EXP_PIXEL(K)                                                                                      \
        float xt = 0, et = 0, rest = 0;                                                                   \
        EACH_##K(K_FOCAL_T)                                                                               \
        m[s] = mx; den[s] = sum; xto[s] = xt; eto[s] = et; resto[s] = rest;                               \
    }                                                                                                     \
}                                                                                                         \
static void focal_grad_k##K(const float* xb, const int32_t* tv, int64_t S, int64_t len, const float* k,   \
                            const float* gout, float g0, float* gb) {                                     \
    if (gout) {                                                                                           \
        _Pragma("omp simd")                                                                               \
        for (int64_t s = 0; s < len; s++) {                                                               \
            EXP_PIXEL(K)                                                                                  \
            const float inv = 1.0f / sum, w = k[s] * gout[s];                                             \
            EACH_##K(K_FOCAL_W)                                                                           \
        }                                                                                                 \
    } else {  /* one loop each: a select between gout[s] and g0 measured 5x slower */                     \
        _Pragma("omp simd")                                                                               \
        for (int64_t s = 0; s < len; s++) {                                                               \
            EXP_PIXEL(K)                                                                                  \
            const float inv = 1.0f / sum, w = k[s] * g0;                                                  \
            EACH_##K(K_FOCAL_W)                                                                           \
        }                                                                                                 \
    }                                                                                                     \
}
DEFINE_FOCAL_FIXED(2) DEFINE_FOCAL_FIXED(3) DEFINE_FOCAL_FIXED(4)

/* NAME_fixed_f32(C, ...): runs the specialised block NAME_kC and returns 1 when there is one (C = 2, 3, 4),
 * else returns 0 */
#define DEFINE_DISPATCH(NAME, PARAMS, ARGS)                                                               \
static int NAME##_fixed_f32 PARAMS {                                                                      \
    switch (C) {                                                                                          \
        case 2: NAME##_k2 ARGS; return 1;                                                                 \
        case 3: NAME##_k3 ARGS; return 1;                                                                 \
        case 4: NAME##_k4 ARGS; return 1;                                                                 \
        default: return 0;                                                                                \
    }                                                                                                     \
}
DEFINE_DISPATCH(exps, (int64_t C, const float* xb, int64_t S, int64_t len, int64_t B, float* e, float* m,
                       float* den), (xb, S, len, B, e, m, den))
DEFINE_DISPATCH(grad, (int64_t C, const float* xb, const int32_t* tv, int64_t S, int64_t len, int squared,
                       const float* gi, const float* gm, const float* gl, float* gb),
                (xb, tv, S, len, squared, gi, gm, gl, gb))
DEFINE_DISPATCH(focal_exps, (int64_t C, const float* xb, const int32_t* tv, int64_t S, int64_t len, float* m,
                             float* den, float* xt, float* et, float* rest), (xb, tv, S, len, m, den, xt, et, rest))
DEFINE_DISPATCH(focal_grad, (int64_t C, const float* xb, const int32_t* tv, int64_t S, int64_t len,
                             const float* k, const float* gout, float g0, float* gb), (xb, tv, S, len, k, gout, g0, gb))
/* float64 keeps the general blocks */
#define exps_fixed_f64(...) 0
#define grad_fixed_f64(...) 0
#define focal_exps_fixed_f64(...) 0
#define focal_grad_fixed_f64(...) 0

/* tv = the class of each of a block's `len` pixels as int32, -1 where t equals `ignore`; widens [*lo, *hi]
 * to the range of the counted t (reduced per block in registers) and returns how many were counted */
static inline int64_t read_targets(const int64_t* tb, int64_t len, int64_t ignore, int32_t* tv, int64_t* lo,
                                   int64_t* hi) {
    int64_t bl = INT64_MAX, bh = INT64_MIN, counted = 0;
    PRAGMA(omp simd reduction(min:bl) reduction(max:bh) reduction(+:counted))
    for (int64_t s = 0; s < len; s++) {
        const int64_t v = tb[s];
        const int ok = v != ignore;
        const int64_t low = ok ? v : INT64_MAX, high = ok ? v : INT64_MIN;
        tv[s] = ok ? (int32_t)v : -1;
        bl = low < bl ? low : bl;
        bh = high > bh ? high : bh;
        counted += ok;
    }
    *lo = bl < *lo ? bl : *lo;
    *hi = bh > *hi ? bh : *hi;
    return counted;
}

#define DEFINE_KERNELS(T, SUF, EXP, LOG)                                                                  \
/* One block of `len` pixels, tv = the class or -1 where ignored: e (C rows of B) = exp(x − m) and        \
 * den = 1 / Σ_c e_c (0 where ignored), so that p_c = e_c den; lse = log Σ exp(x) when not NULL. */       \
static inline void softmax_block_##SUF(const T* xb, const int32_t* tv, int64_t C, int64_t S, int64_t len, \
                                       int64_t B, T* e, T* m, T* den, T* lse) {                           \
    if (!exps_fixed_##SUF(C, xb, S, len, B, e, m, den)) {                                                 \
        for (int64_t s = 0; s < len; s++) { m[s] = xb[s]; den[s] = 0; }                                   \
        for (int64_t c = 1; c < C; c++) {                                                                 \
            const T* xc = xb + c * S;                                                                     \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) m[s] = xc[s] > m[s] ? xc[s] : m[s];                         \
        }                                                                                                 \
        for (int64_t c = 0; c < C; c++) {                                                                 \
            const T* xc = xb + c * S;                                                                     \
            T* ec = e + c * B;                                                                            \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) { ec[s] = EXP(xc[s] - m[s]); den[s] += ec[s]; }             \
        }                                                                                                 \
    }                                                                                                     \
    if (lse) {                                                                                            \
        _Pragma("omp simd")                                                                               \
        for (int64_t s = 0; s < len; s++) lse[s] = LOG(den[s]) + m[s];                                    \
    }                                                                                                     \
    _Pragma("omp simd")                                                                                   \
    for (int64_t s = 0; s < len; s++) den[s] = (tv[s] >= 0 ? (T)1 : (T)0) / den[s];                       \
}                                                                                                         \
                                                                                                          \
int softmax_index_forward_##SUF(const T* x, const int64_t* t, int64_t ignore, int64_t N, int64_t C,       \
                                int64_t S, int squared, double* inter, double* mass, double* size,        \
                                double* nll, int64_t* range, int nthreads) {                              \
    const int64_t B = block_len(C, S), nblk = (S + B - 1) / B, width = 4 * N * C;                         \
    if (nthreads < 1) nthreads = 1;                                                                       \
    /* one block of partial sums per thread, added in thread order below: the same result every run */    \
    double* parts = calloc((size_t)(nthreads * width), sizeof(double));                                   \
    int64_t* ranges = malloc(sizeof(int64_t) * 2 * (size_t)nthreads);                                     \
    T* work = malloc(sizeof(T) * (size_t)(nthreads * (C + 3) * B));                                       \
    int32_t* tvs = malloc(sizeof(int32_t) * (size_t)(nthreads * B));                                      \
    int failed = !parts || !ranges || !work || !tvs;                                                      \
    for (int th = 0; !failed && th < nthreads; th++) {  /* without OpenMP only thread 0 runs */           \
        ranges[2 * th] = INT64_MAX;                                                                       \
        ranges[2 * th + 1] = INT64_MIN;                                                                   \
    }                                                                                                     \
    if (!failed) {                                                                                        \
        _Pragma("omp parallel num_threads(nthreads)")                                                     \
        {                                                                                                 \
            const int th = omp_get_thread_num();                                                          \
            T *e = work + (int64_t)th * (C + 3) * B, *m = e + C * B, *den = m + B, *lse = den + B;        \
            int32_t* tv = tvs + (int64_t)th * B;                                                          \
            double* acc = parts + (int64_t)th * width;                                                    \
            int64_t lo = ranges[2 * th], hi = ranges[2 * th + 1];                                         \
            _Pragma("omp for schedule(static)")                                                           \
            for (int64_t job = 0; job < N * nblk; job++) {                                                \
                const int64_t n = job / nblk, s0 = (job % nblk) * B, len = S - s0 < B ? S - s0 : B;       \
                const T* xb = x + n * C * S + s0;                                                         \
                const int64_t* tb = t + n * S + s0;                                                       \
                double *li = acc + n * C, *lm = acc + N * C + n * C, *ll = acc + 2 * N * C + n * C;       \
                double* lt = acc + 3 * N * C + n * C;                                                     \
                read_targets(tb, len, ignore, tv, &lo, &hi);                                              \
                softmax_block_##SUF(xb, tv, C, S, len, B, e, m, den, nll ? lse : 0);                      \
                for (int64_t c = 0; c < C; c++) {                                                         \
                    const T* pc = e + c * B;                                                              \
                    const T sq = squared ? (T)1 : (T)0;                                                   \
                    T sm = 0, si = 0, st = 0;                                                             \
                    _Pragma("omp simd reduction(+:sm,si,st)")                                             \
                    for (int64_t s = 0; s < len; s++) {                                                   \
                        const T pv = pc[s] * den[s], hit = tv[s] == (int32_t)c ? (T)1 : (T)0;             \
                        sm += pv * (sq * pv + ((T)1 - sq));                                               \
                        si += hit * pv;                                                                   \
                        st += hit;                                                                        \
                    }                                                                                     \
                    lm[c] += sm; li[c] += si; lt[c] += st;                                                \
                }                                                                                         \
                for (int64_t c = 0; nll && c < C; c++) {  /* Σ [t = c] (lse − x_c) */                     \
                    const T* xc = xb + c * S;                                                             \
                    T sl = 0;                                                                             \
                    _Pragma("omp simd reduction(+:sl)")                                                   \
                    for (int64_t s = 0; s < len; s++) sl += tv[s] == (int32_t)c ? lse[s] - xc[s] : (T)0;  \
                    ll[c] += sl;                                                                          \
                }                                                                                         \
            }                                                                                             \
            ranges[2 * th] = lo; ranges[2 * th + 1] = hi;                                                 \
        }                                                                                                 \
        range[0] = INT64_MAX; range[1] = INT64_MIN;                                                       \
        for (int th = 0; th < nthreads; th++) {                                                           \
            const double* acc = parts + (int64_t)th * width;                                              \
            for (int64_t i = 0; i < N * C; i++) {                                                         \
                inter[i] += acc[i];                                                                       \
                mass[i] += acc[N * C + i];                                                                \
                size[i] += acc[3 * N * C + i];                                                            \
                if (nll) nll[i] += acc[2 * N * C + i];                                                    \
            }                                                                                             \
            if (ranges[2 * th] < range[0]) range[0] = ranges[2 * th];                                     \
            if (ranges[2 * th + 1] > range[1]) range[1] = ranges[2 * th + 1];                             \
        }                                                                                                 \
    }                                                                                                     \
    free(parts); free(ranges); free(work); free(tvs);                                                     \
    return failed;                                                                                        \
}                                                                                                         \
                                                                                                          \
int softmax_index_backward_##SUF(const T* x, const int64_t* t, int64_t ignore, int64_t N, int64_t C,      \
                                 int64_t S, int squared, const T* g_inter, const T* g_mass,               \
                                 const T* g_nll, T* grad, int nthreads) {                                 \
    const int64_t B = block_len(C, S), nblk = (S + B - 1) / B;                                            \
    if (nthreads < 1) nthreads = 1;                                                                       \
    T* work = malloc(sizeof(T) * (size_t)(nthreads * (C + 4) * B));                                       \
    int32_t* tvs = malloc(sizeof(int32_t) * (size_t)(nthreads * B));                                      \
    if (!work || !tvs) { free(work); free(tvs); return 1; }                                               \
    _Pragma("omp parallel num_threads(nthreads)")                                                         \
    {                                                                                                     \
        const int th = omp_get_thread_num();                                                              \
        T *e = work + (int64_t)th * (C + 4) * B, *m = e + C * B, *den = m + B, *r = den + B, *b = r + B;  \
        int32_t* tv = tvs + (int64_t)th * B;                                                              \
        _Pragma("omp for schedule(static)")                                                               \
        for (int64_t job = 0; job < N * nblk; job++) {                                                    \
            const int64_t n = job / nblk, s0 = (job % nblk) * B, len = S - s0 < B ? S - s0 : B;           \
            const T* xb = x + n * C * S + s0;                                                             \
            T* gb = grad + n * C * S + s0;                                                                \
            const int64_t* tb = t + n * S + s0;                                                           \
            const T *gi = g_inter + n * C, *gm = g_mass + n * C, *gl = g_nll ? g_nll + n * C : 0;         \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) { tv[s] = tb[s] != ignore ? (int32_t)tb[s] : -1; b[s] = 0; } \
            if (grad_fixed_##SUF(C, xb, tv, S, len, squared, gi, gm, gl, gb)) continue;                   \
            softmax_block_##SUF(xb, tv, C, S, len, B, e, m, den, 0);                                      \
            for (int64_t c = 0; c < C; c++) {  /* e_c ← p_c;  b = p_t g_I,t − g_L,t */                    \
                T* pc = e + c * B;                                                                        \
                const T gic = gi[c], glc = gl ? gl[c] : (T)0;                                             \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++) {                                                       \
                    pc[s] *= den[s];                                                                      \
                    b[s] += tv[s] == (int32_t)c ? pc[s] * gic - glc : (T)0;                               \
                }                                                                                         \
            }                                                                                             \
            for (int64_t s = 0; s < len; s++) r[s] = b[s];                                                \
            for (int64_t c = 0; c < C; c++) {  /* h_c = g2 p_c + g1: 2 g_P p_c (squared) or g_P */        \
                const T* pc = e + c * B;                                                                  \
                const T g2 = squared ? 2 * gm[c] : (T)0, g1 = squared ? (T)0 : gm[c];                     \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++) r[s] += pc[s] * (g2 * pc[s] + g1);                      \
            }                                                                                             \
            for (int64_t c = 0; c < C; c++) {                                                             \
                const T* pc = e + c * B;                                                                  \
                T* gc = gb + c * S;                                                                       \
                const T g2 = squared ? 2 * gm[c] : (T)0, g1 = squared ? (T)0 : gm[c];                     \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++)                                                         \
                    gc[s] = pc[s] * (g2 * pc[s] + g1 - r[s]) + (tv[s] == (int32_t)c ? b[s] : (T)0);       \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
    free(work); free(tvs);                                                                                \
    return 0;                                                                                             \
}

DEFINE_KERNELS(float, f32, exp_nonpositive_f, logf)
DEFINE_KERNELS(double, f64, exp_nonpositive_d, log)

/* Softmax focal loss with class-index targets (same layout and ignore rule as above). Per counted pixel,
 * with L = log p_t = x_t − lse, q = 1 − p_t = Σ_{c≠t} e_c / Σ_c e_c (no cancellation near p_t = 1) clamped
 * at `tiny` (the dtype's smallest normal, as the torch path), f = exp(γ log q) and a = α_t (1 without α):
 *   forward:  loss = −a f L,  k = a f (1 − γ (p_t / q) L)   (both 0 at ignored pixels),
 *             count = the pixels counted, range = (min, max) of the counted t;
 *   backward: grad_c = k g (p_c − [t = c])   (g the upstream gradient of loss, (N, S), or the one value g0
 *             of a gradient that is constant over the pixels, such as the mean's, when gout is NULL).
 * Neither pass keeps a logits-sized buffer: the backward recomputes the softmax. */
#define DEFINE_FOCAL(T, SUF, EXP, LOG, TINY)                                                              \
int softmax_focal_forward_##SUF(const T* x, const int64_t* t, int64_t ignore, int64_t N, int64_t C,       \
                                int64_t S, double gamma, const T* alpha, T* loss, T* k, int64_t* range,   \
                                int64_t* count, int nthreads) {                                           \
    const int64_t B = block_len(C, S), nblk = (S + B - 1) / B;                                            \
    if (nthreads < 1) nthreads = 1;                                                                       \
    T* work = malloc(sizeof(T) * (size_t)(nthreads * (C + 6) * B));                                       \
    int32_t* tvs = malloc(sizeof(int32_t) * (size_t)(nthreads * B));                                      \
    if (!work || !tvs) { free(work); free(tvs); return 1; }                                               \
    const T g = (T)gamma;                                                                                 \
    /* q^γ as a product for whole γ up to 4 (else exp(γ log q)) */                                        \
    const int whole = gamma >= 1 && gamma <= 4 && gamma == (int)gamma ? (int)gamma : 0;                   \
    int64_t lo = INT64_MAX, hi = INT64_MIN, counted = 0;                                                  \
    PRAGMA(omp parallel num_threads(nthreads) reduction(min:lo) reduction(max:hi) reduction(+:counted))   \
    {                                                                                                     \
        const int th = omp_get_thread_num();                                                              \
        T *e = work + (int64_t)th * (C + 6) * B, *m = e + C * B, *den = m + B, *lse = den + B;            \
        T *xt = lse + B, *et = xt + B, *rest = et + B;                                                    \
        int32_t* tv = tvs + (int64_t)th * B;                                                              \
        _Pragma("omp for schedule(static)")                                                               \
        for (int64_t job = 0; job < N * nblk; job++) {                                                    \
            const int64_t n = job / nblk, s0 = (job % nblk) * B, len = S - s0 < B ? S - s0 : B;           \
            const T* xb = x + n * C * S + s0;                                                             \
            counted += read_targets(t + n * S + s0, len, ignore, tv, &lo, &hi);                           \
            if (!focal_exps_fixed_##SUF(C, xb, tv, S, len, m, den, xt, et, rest)) {                       \
                softmax_block_##SUF(xb, tv, C, S, len, B, e, m, den, 0);                                  \
                for (int64_t s = 0; s < len; s++) { xt[s] = 0; et[s] = 0; rest[s] = 0; }                  \
                for (int64_t c = 0; c < C; c++) {  /* x_t, e_t and Σ_{c≠t} e_c */                         \
                    const T *xc = xb + c * S, *ec = e + c * B;                                            \
                    _Pragma("omp simd")                                                                   \
                    for (int64_t s = 0; s < len; s++) {                                                   \
                        const int hit = tv[s] == (int32_t)c;                                              \
                        xt[s] += hit ? xc[s] : (T)0;                                                      \
                        et[s] += hit ? ec[s] : (T)0;                                                      \
                        rest[s] += hit ? (T)0 : ec[s];                                                    \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
            /* L = log p_t is −log1p(r), r = Σ_{c≠t} e_c / e_t, when p_t >= 1/2 (accurate as p_t → 1,     \
             * where x_t − m − log Σ e loses every digit), else x_t − m − log Σ e; log1p(r) is            \
             * log(u) r / (u − 1) with u = 1 + r (Goldberg), so that the only library call is one log per \
             * pixel, in a loop of its own. Below: lb = q, then the loss; kb = α_t (0 where ignored), then k;\
             * den = p_t; lse = log(u or Σ e) */                                                          \
            T *lb = loss + n * S + s0, *kb = k + n * S + s0;                                              \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) {                                                           \
                const int ok = tv[s] >= 0 && tv[s] < C;                                                   \
                const T sum = et[s] + rest[s], qr = rest[s] / sum;                                        \
                lb[s] = qr > (T)TINY ? qr : (T)TINY;                                                      \
                kb[s] = alpha ? (ok ? alpha[ok ? tv[s] : 0] : (T)0) : (T)(ok ? 1 : 0);                    \
                den[s] = et[s] / sum;                                                                     \
                lse[s] = rest[s] <= et[s] ? (T)1 + rest[s] / et[s] : sum;                                 \
            }                                                                                             \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) lse[s] = LOG(lse[s]);                                       \
            if (whole || g == 0) {  /* f = q^γ: a product for whole γ up to 4 */                          \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++) {                                                       \
                    T f = (T)1;                                                                           \
                    for (int j = 0; j < whole; j++) f *= lb[s];                                           \
                    e[s] = f;                                                                             \
                }                                                                                         \
            } else {                                                                                      \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++) e[s] = EXP(g * LOG(lb[s]));                             \
            }                                                                                             \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) {                                                           \
                const T r = rest[s] / et[s], u = (T)1 + r, q = lb[s], f = e[s];                           \
                const T L = rest[s] <= et[s] ? -(u == (T)1 ? r : lse[s] * (r / (u - (T)1)))               \
                                             : (xt[s] - m[s]) - lse[s];                                   \
                lb[s] = -kb[s] * f * L;                                                                   \
                kb[s] *= f * ((T)1 - g * ((den[s] / q) * L));  /* (p_t / q) L in [-1.5, 0]: no overflow */ \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
    free(work); free(tvs);                                                                                \
    range[0] = lo; range[1] = hi; *count = counted;                                                       \
    return 0;                                                                                             \
}                                                                                                         \
                                                                                                          \
int softmax_focal_backward_##SUF(const T* x, const int64_t* t, int64_t ignore, int64_t N, int64_t C,      \
                                 int64_t S, const T* k, const T* gout, double g0, T* grad, int nthreads) {\
    const int64_t B = block_len(C, S), nblk = (S + B - 1) / B;                                            \
    if (nthreads < 1) nthreads = 1;                                                                       \
    T* work = malloc(sizeof(T) * (size_t)(nthreads * (C + 3) * B));                                       \
    int32_t* tvs = malloc(sizeof(int32_t) * (size_t)(nthreads * B));                                      \
    if (!work || !tvs) { free(work); free(tvs); return 1; }                                               \
    _Pragma("omp parallel num_threads(nthreads)")                                                         \
    {                                                                                                     \
        const int th = omp_get_thread_num();                                                              \
        T *e = work + (int64_t)th * (C + 3) * B, *m = e + C * B, *den = m + B, *w = den + B;              \
        int32_t* tv = tvs + (int64_t)th * B;                                                              \
        int64_t lo = 0, hi = 0;                                                                           \
        _Pragma("omp for schedule(static)")                                                               \
        for (int64_t job = 0; job < N * nblk; job++) {                                                    \
            const int64_t n = job / nblk, s0 = (job % nblk) * B, len = S - s0 < B ? S - s0 : B;           \
            const T* xb = x + n * C * S + s0;                                                             \
            T* gb = grad + n * C * S + s0;                                                                \
            const T *kb = k + n * S + s0, *gob = gout ? gout + n * S + s0 : 0;                            \
            read_targets(t + n * S + s0, len, ignore, tv, &lo, &hi);                                      \
            if (focal_grad_fixed_##SUF(C, xb, tv, S, len, kb, gob, (T)g0, gb)) continue;                  \
            softmax_block_##SUF(xb, tv, C, S, len, B, e, m, den, 0);                                      \
            for (int64_t s = 0; s < len; s++) w[s] = kb[s] * (T)g0;                                       \
            for (int64_t s = 0; gob && s < len; s++) w[s] = kb[s] * gob[s];                               \
            for (int64_t c = 0; c < C; c++) {                                                             \
                const T* ec = e + c * B;                                                                  \
                T* gc = gb + c * S;                                                                       \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++)                                                         \
                    gc[s] = w[s] * (ec[s] * den[s] - (tv[s] == (int32_t)c ? (T)1 : (T)0));                \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
    free(work); free(tvs);                                                                                \
    return 0;                                                                                             \
}

DEFINE_FOCAL(float, f32, exp_nonpositive_f, logf, 1.17549435e-38f)
DEFINE_FOCAL(double, f64, exp_nonpositive_d, log, 2.2250738585072014e-308)

/* Sigmoid (binary / multi-label masks): x, t (N, C, S) with t of type TT (the float type or uint8: bool
 * masks); an element whose t equals `ignore` counts nowhere (pass NaN for none); posw (N, C) or NULL.
 *   forward:  p = σ(x) (0 at ignored elements) is written out, and per (image, class) in float64
 *             inter += p t,  mass += p (p² when squared),  size += t (t² when squared),  count += 1,
 *             nll += (1 + (w − 1) t) softplus(x) − w t x   (the BCE with positive weight w; nll may be NULL),
 *             and range = (min, max, any NaN) of the counted t, which the caller checks against [0, 1];
 *   backward: p is turned into the gradient in place,
 *             grad = p (1 − p) (h + g_I t) + g_L ((1 + (w − 1) t) p − w t),  h = g_P (2 p g_P when squared).
 */
#define DEFINE_SIGMOID(T, TT, SUF, EXP, LOG, WIDEN)                                                       \
int sigmoid_forward_##SUF(const T* x, const TT* t, double ignore, const T* posw, int64_t N, int64_t C,    \
                          int64_t S, int squared, T* p, double* inter, double* mass, double* size,        \
                          double* nll, double* count, double* range, int nthreads) {                      \
    const int64_t nblk = (S + _B - 1) / _B;                                                               \
    const T ig = (T)ignore;                                                                               \
    T lo = INFINITY, hi = -INFINITY;                                                                      \
    int nan = 0;                                                                                          \
    PRAGMA(omp parallel for schedule(static) num_threads(nthreads)                                        \
           reduction(min:lo) reduction(max:hi) reduction(|:nan))                                          \
    for (int64_t row = 0; row < N * C; row++) {                                                           \
        T e[_B], tl[_B];                                                                                  \
        const T w = posw ? posw[row] : (T)1, sq = squared ? (T)1 : (T)0;                                  \
        double di = 0, dm = 0, ds = 0, dl = 0, dc = 0;                                                    \
        for (int64_t b = 0; b < nblk; b++) {                                                              \
            const int64_t s0 = b * _B, len = S - s0 < _B ? S - s0 : _B;                                   \
            const T* xb = x + row * S + s0;                                                               \
            const TT* tb = t + row * S + s0;                                                              \
            T* pb = p + row * S + s0;                                                                     \
            T si = 0, sm = 0, st = 0, sl = 0, sc = 0, sn = 0, bl = (T)INFINITY, bh = -(T)INFINITY;        \
            /* σ in one loop, the sums in the next: 15% faster than one loop for both (measured) */       \
            _Pragma("omp simd")                                                                           \
            for (int64_t k = 0; k < len; k++) {                                                           \
                const T ek = EXP(xb[k] < 0 ? xb[k] : -xb[k]), q = (T)1 / ((T)1 + ek);                     \
                e[k] = ek; pb[k] = xb[k] >= 0 ? q : ek * q;                                               \
            }                                                                                             \
            /* uint8 masks: widened to T first (the sums loop below on uint8 measured 60% slower) */      \
            const T* tf = (const T*)tb;                                                                   \
            if (WIDEN) {                                                                                  \
                _Pragma("omp simd")                                                                       \
                for (int64_t k = 0; k < len; k++) tl[k] = (T)tb[k];                                       \
                tf = tl;                                                                                  \
            }                                                                                             \
            /* the range of the block, then of the row: the loop's registers hold it (13% faster than     \
             * reducing into the row's bounds here, measured) */                                          \
            PRAGMA(omp simd reduction(+:si,sm,st,sc,sn) reduction(min:bl) reduction(max:bh))              \
            for (int64_t k = 0; k < len; k++) {                                                           \
                const T raw = tf[k];                                                                      \
                const int ok = raw != ig;                                                                 \
                const T tv = ok ? raw : (T)0, pv = ok ? pb[k] : (T)0;                                     \
                pb[k] = pv;                                                                               \
                si += pv * tv;                                                                            \
                sm += pv * (sq * pv + ((T)1 - sq));                                                       \
                st += tv * (sq * tv + ((T)1 - sq));                                                       \
                const T low = ok ? raw : (T)INFINITY, high = ok ? raw : -(T)INFINITY;                     \
                sc += ok ? (T)1 : (T)0;                                                                   \
                sn += raw != raw ? (T)1 : (T)0;                                                           \
                bl = low < bl ? low : bl;                                                                 \
                bh = high > bh ? high : bh;                                                               \
            }                                                                                             \
            if (nll) {                                                                                    \
                _Pragma("omp simd reduction(+:sl)")                                                       \
                for (int64_t k = 0; k < len; k++) {                                                       \
                    const T xv = xb[k], raw = (T)tb[k];                                                   \
                    const T sp = (xv > 0 ? xv : (T)0) + LOG((T)1 + e[k]);                                 \
                    sl += raw != ig ? ((T)1 + (w - (T)1) * raw) * sp - w * raw * xv : (T)0;               \
                }                                                                                         \
            }                                                                                             \
            di += si; dm += sm; ds += st; dl += sl; dc += sc;                                             \
            lo = bl < lo ? bl : lo; hi = bh > hi ? bh : hi; nan |= sn != 0;                               \
        }                                                                                                 \
        inter[row] = di; mass[row] = dm; size[row] = ds; count[row] = dc;                                 \
        if (nll) nll[row] = dl;                                                                           \
    }                                                                                                     \
    range[0] = lo; range[1] = hi; range[2] = nan;                                                         \
    return 0;                                                                                             \
}                                                                                                         \
                                                                                                          \
void sigmoid_backward_##SUF(T* p, const TT* t, double ignore, const T* posw, int64_t N, int64_t C,        \
                            int64_t S, int squared, const T* g_inter, const T* g_mass, const T* g_nll,    \
                            int nthreads) {                                                               \
    const T ig = (T)ignore;                                                                               \
    _Pragma("omp parallel for schedule(static) num_threads(nthreads)")                                    \
    for (int64_t row = 0; row < N * C; row++) {                                                           \
        T* pr = p + row * S;                                                                              \
        const TT* tr = t + row * S;                                                                       \
        const T gi = g_inter[row], gl = g_nll ? g_nll[row] : (T)0;                                        \
        const T w = posw ? posw[row] : (T)1;                                                              \
        const T g2 = squared ? (T)2 * g_mass[row] : (T)0, g1 = squared ? (T)0 : g_mass[row];              \
        _Pragma("omp simd")                                                                               \
        for (int64_t s = 0; s < S; s++) {                                                                 \
            const T pv = pr[s], raw = (T)tr[s], tv = raw != ig ? raw : (T)0;                              \
            const T h = g2 * pv + g1 + gi * tv;                                                           \
            pr[s] = pv * ((T)1 - pv) * h + gl * (((T)1 + (w - (T)1) * tv) * pv - w * tv);                 \
        }                                                                                                 \
    }                                                                                                     \
}

DEFINE_SIGMOID(float, float, f32, exp_nonpositive_f, logf, 0)
DEFINE_SIGMOID(float, uint8_t, f32u8, exp_nonpositive_f, logf, 1)
DEFINE_SIGMOID(double, double, f64, exp_nonpositive_d, log, 0)
DEFINE_SIGMOID(double, uint8_t, f64u8, exp_nonpositive_d, log, 1)

/* Sigmoid focal loss, elementwise over n elements (targets y in [0, 1], soft allowed; ignored elements
 * arrive as y = 0 with weight 0 from the caller). With p = σ(x), q = 1 − p = σ(−x), 1 − p_t = y q + (1 − y) p,
 * f = (1 − p_t)^γ (a product for whole γ up to 4), a = α y + (1 − α)(1 − y) (1 when alpha is NaN) and
 * BCE = y softplus(−x) + (1 − y) softplus(x):
 *   loss = a f BCE,   deriv = ∂loss/∂x = a f ((p − y) + γ BCE r),  r = ∂log(1 − p_t)/∂x
 *        = (1 − y) q − y p for y in {0, 1}, else (1 − 2y) p q / (1 − p_t);
 * p − y is taken as (1 − y) p − y q and q = σ(−x) directly, so neither cancels for hard targets.
 * softplus(±x) = max(±x, 0) + log1p(e^{−|x|}), log1p(e) = log(u) e / (u − 1) with u = 1 + e (Goldberg), so
 * both stay accurate where e^{−|x|} is below the rounding of 1 + e. */
#define DEFINE_SIGMOID_FOCAL(T, SUF, EXP, LOG)                                                            \
void sigmoid_focal_##SUF(const T* x, const T* y, int64_t n, double gamma, double alpha, T* loss, T* deriv, \
                         int nthreads) {                                                                  \
    const int use_alpha = alpha == alpha, nblk = (int)((n + _B - 1) / _B);  /* alpha NaN: no α weighting */ \
    const int whole = gamma >= 1 && gamma <= 4 && gamma == (int)gamma ? (int)gamma : 0;                   \
    const T g = (T)gamma, al = use_alpha ? (T)alpha : (T)0;                                               \
    /* in blocks, each step a loop of its own (the library logs alone in theirs): vectorised throughout */ \
    _Pragma("omp parallel for schedule(static) num_threads(nthreads)")                                    \
    for (int b = 0; b < nblk; b++) {                                                                      \
        T e[_B], qs[_B], lu[_B], bce[_B], omp[_B];                                                        \
        const int64_t i0 = (int64_t)b * _B, len = n - i0 < _B ? n - i0 : _B;                              \
        const T *xb = x + i0, *yb = y + i0;                                                               \
        _Pragma("omp simd")                                                                               \
        for (int64_t k = 0; k < len; k++) { e[k] = EXP(xb[k] < 0 ? xb[k] : -xb[k]); lu[k] = (T)1 + e[k]; } \
        _Pragma("omp simd")                                                                               \
        for (int64_t k = 0; k < len; k++) lu[k] = LOG(lu[k]);                                             \
        _Pragma("omp simd")                                                                               \
        for (int64_t k = 0; k < len; k++) {                                                               \
            const T xv = xb[k], yv = yb[k], ek = e[k], u = (T)1 + ek, q1 = (T)1 / u;                      \
            const T p = xv >= 0 ? q1 : ek * q1, q = xv >= 0 ? ek * q1 : q1;                               \
            const T l1p = u == (T)1 ? ek : lu[k] * (ek / (u - (T)1));                                     \
            bce[k] = yv * ((xv < 0 ? -xv : (T)0) + l1p) + ((T)1 - yv) * ((xv > 0 ? xv : (T)0) + l1p);     \
            omp[k] = yv * q + ((T)1 - yv) * p;                                                            \
            e[k] = p; qs[k] = q;                                                                          \
        }                                                                                                 \
        if (whole) {  /* f = (1 − p_t)^γ into lu */                                                       \
            _Pragma("omp simd")                                                                           \
            for (int64_t k = 0; k < len; k++) {                                                           \
                T f = omp[k];                                                                             \
                for (int j = 1; j < whole; j++) f *= omp[k];                                              \
                lu[k] = f;                                                                                \
            }                                                                                             \
        } else if (g != 0) {                                                                              \
            _Pragma("omp simd")                                                                           \
            for (int64_t k = 0; k < len; k++) lu[k] = LOG(omp[k]);                                        \
            _Pragma("omp simd")                                                                           \
            for (int64_t k = 0; k < len; k++) lu[k] = EXP(g * lu[k]);                                     \
        } else {                                                                                          \
            for (int64_t k = 0; k < len; k++) lu[k] = (T)1;                                               \
        }                                                                                                 \
        T* lb = loss + i0;                                                                                \
        _Pragma("omp simd")                                                                               \
        for (int64_t k = 0; k < len; k++) {  /* lu ← a f */                                               \
            const T yv = yb[k];                                                                           \
            lu[k] *= use_alpha ? al * yv + ((T)1 - al) * ((T)1 - yv) : (T)1;                              \
            lb[k] = lu[k] * bce[k];                                                                       \
        }                                                                                                 \
        if (!deriv) continue;  /* no gradient wanted (inference) */                                       \
        T* db = deriv + i0;                                                                               \
        _Pragma("omp simd")                                                                               \
        for (int64_t k = 0; k < len; k++) {                                                               \
            const T yv = yb[k], p = e[k], q = qs[k];                                                      \
            const int hard = yv == (T)0 || yv == (T)1;                                                    \
            const T r = hard ? ((T)1 - yv) * q - yv * p                                                   \
                             : (omp[k] > 0 ? ((T)1 - (T)2 * yv) * p * q / omp[k] : (T)0);                 \
            db[k] = lu[k] * ((((T)1 - yv) * p - yv * q) + g * bce[k] * r);  /* p − y: no cancellation */  \
        }                                                                                                 \
    }                                                                                                     \
}

DEFINE_SIGMOID_FOCAL(float, f32, exp_nonpositive_f, logf)
DEFINE_SIGMOID_FOCAL(double, f64, exp_nonpositive_d, log)
