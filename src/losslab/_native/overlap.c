/* losslab native kernels: the softmax overlap statistics of class-index targets and their backward.
 *
 * x is (N, C, S) contiguous, t (N, S) int64 class indices in [0, C), valid (N, S) uint8 or NULL (all
 * counted; t must be a valid index at ignored pixels too, e.g. 0). Work is split into blocks of _B pixels
 * of one image; per block the softmax over the C channels is formed with vector exp/log (libmvec when
 * built with LOSSLAB_MVEC), then:
 *   forward:  p (0 at ignored pixels) is written out, and per (image, class) in float64
 *             inter += p_t [t = c],  mass += p_c (p_c² when squared),  size += [t = c],
 *             nll += (log Σ exp(x − m) + m − x_t) [t = c]   (nll may be NULL)
 *   backward: p is turned into the gradient in place,
 *             grad_c = p_c (h_c − r) + [t = c] b,  h_c = g_P,c (2 p_c g_P,c when squared),
 *             b = p_t g_I,t − g_L,t,  r = Σ_c p_c h_c + b     (0 at ignored pixels).
 * Each function is compiled for float and double; nthreads is torch.get_num_threads().
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

#define _B 256

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

#define DEFINE_KERNELS(T, SUF, EXP, LOG)                                                                  \
int softmax_index_forward_##SUF(const T* x, const int64_t* t, const uint8_t* valid, int64_t N, int64_t C, \
                                int64_t S, int squared, T* p, double* inter, double* mass, double* size, \
                                double* nll, int nthreads) {                                              \
    const int64_t nblk = (S + _B - 1) / _B, width = 4 * N * C;                                            \
    if (nthreads < 1) nthreads = 1;                                                                       \
    /* one block of partial sums per thread, added in thread order below: the same result every run */    \
    double* parts = calloc((size_t)(nthreads * width), sizeof(double));                                   \
    if (!parts) return 1;                                                                                 \
    _Pragma("omp parallel num_threads(nthreads)")                                                         \
    {                                                                                                     \
        uint8_t ones[_B];                                                                                 \
        T buf[3 * _B];                                                                                    \
        memset(ones, 1, sizeof ones);                                                                     \
        double* acc = parts + (int64_t)omp_get_thread_num() * width;                                      \
        _Pragma("omp for schedule(static)")                                                               \
        for (int64_t job = 0; job < N * nblk; job++) {                                                    \
            const int64_t n = job / nblk, s0 = (job % nblk) * _B, len = S - s0 < _B ? S - s0 : _B;        \
            const T* xb = x + n * C * S + s0;                                                             \
            T* pb = p + n * C * S + s0;                                                                   \
            const int64_t* tb = t + n * S + s0;                                                           \
            const uint8_t* vb = valid ? valid + n * S + s0 : ones;                                        \
            T *m = buf, *den = buf + _B, *lse = buf + 2 * _B;                                             \
            double *li = acc + n * C, *lm = acc + N * C + n * C, *ll = acc + 2 * N * C + n * C;           \
            double* lt = acc + 3 * N * C + n * C;                                                         \
            int32_t tv[_B];  /* the class, or -1 where ignored: compared per class, vectorised */         \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) tv[s] = vb[s] ? (int32_t)tb[s] : -1;                        \
            for (int64_t s = 0; s < len; s++) { m[s] = xb[s]; den[s] = 0; }                               \
            for (int64_t c = 1; c < C; c++) {                                                             \
                const T* xc = xb + c * S;                                                                 \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++) m[s] = xc[s] > m[s] ? xc[s] : m[s];                     \
            }                                                                                             \
            for (int64_t c = 0; c < C; c++) {                                                             \
                const T* xc = xb + c * S;                                                                 \
                T* pc = pb + c * S;                                                                       \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++) { pc[s] = EXP(xc[s] - m[s]); den[s] += pc[s]; }         \
            }                                                                                             \
            if (nll) {                                                                                    \
                _Pragma("omp simd")                                                                       \
                for (int64_t s = 0; s < len; s++) lse[s] = LOG(den[s]) + m[s];                            \
            }                                                                                             \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) den[s] = (T)vb[s] / den[s];                                \
            for (int64_t c = 0; c < C; c++) {                                                             \
                T* pc = pb + c * S;                                                                       \
                const T* xc = xb + c * S;                                                                 \
                const T sq = squared ? (T)1 : (T)0;                                                       \
                T sm = 0, si = 0, st = 0, sl = 0;                                                         \
                _Pragma("omp simd reduction(+:sm,si,st)")                                                 \
                for (int64_t s = 0; s < len; s++) {                                                       \
                    const T pv = pc[s] * den[s], hit = tv[s] == (int32_t)c ? (T)1 : (T)0;                 \
                    pc[s] = pv;                                                                           \
                    sm += pv * (sq * pv + ((T)1 - sq));                                                   \
                    si += hit * pv;                                                                       \
                    st += hit;                                                                            \
                }                                                                                         \
                if (nll) {                                                                                \
                    _Pragma("omp simd reduction(+:sl)")                                                   \
                    for (int64_t s = 0; s < len; s++) sl += tv[s] == (int32_t)c ? lse[s] - xc[s] : (T)0;  \
                }                                                                                         \
                lm[c] += sm; li[c] += si; lt[c] += st; ll[c] += sl;                                       \
            }                                                                                             \
        }                                                                                                 \
    }                                                                                                     \
    for (int th = 0; th < nthreads; th++) {                                                               \
        const double* acc = parts + (int64_t)th * width;                                                  \
        for (int64_t i = 0; i < N * C; i++) {                                                             \
            inter[i] += acc[i];                                                                           \
            mass[i] += acc[N * C + i];                                                                    \
            size[i] += acc[3 * N * C + i];                                                                \
            if (nll) nll[i] += acc[2 * N * C + i];                                                        \
        }                                                                                                 \
    }                                                                                                     \
    free(parts);                                                                                          \
    return 0;                                                                                             \
}                                                                                                         \
                                                                                                          \
void softmax_index_backward_##SUF(T* p, const int64_t* t, const uint8_t* valid, int64_t N, int64_t C,     \
                                  int64_t S, int squared, const T* g_inter, const T* g_mass,              \
                                  const T* g_nll, int nthreads) {                                         \
    const int64_t nblk = (S + _B - 1) / _B;                                                               \
    _Pragma("omp parallel for schedule(static) num_threads(nthreads)")                                    \
    for (int64_t job = 0; job < N * nblk; job++) {                                                        \
        const int64_t n = job / nblk, s0 = (job % nblk) * _B, len = S - s0 < _B ? S - s0 : _B;            \
        T* pb = p + n * C * S + s0;                                                                       \
        const int64_t* tb = t + n * S + s0;                                                               \
        const uint8_t* vb = valid ? valid + n * S + s0 : 0;                                               \
        const T *gi = g_inter + n * C, *gm = g_mass + n * C, *gl = g_nll ? g_nll + n * C : 0;             \
        T r[_B], b[_B];                                                                                   \
        int32_t tv[_B];  /* the class, or -1 where ignored */                                             \
        _Pragma("omp simd")                                                                               \
        for (int64_t s = 0; s < len; s++) { tv[s] = (vb && !vb[s]) ? -1 : (int32_t)tb[s]; b[s] = 0; }    \
        for (int64_t c = 0; c < C; c++) {  /* b = p_t g_I,t − g_L,t */                                    \
            const T* pc = pb + c * S;                                                                     \
            const T gic = gi[c], glc = gl ? gl[c] : (T)0;                                                 \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) b[s] += tv[s] == (int32_t)c ? pc[s] * gic - glc : (T)0;     \
        }                                                                                                 \
        for (int64_t s = 0; s < len; s++) r[s] = b[s];                                                    \
        for (int64_t c = 0; c < C; c++) {  /* h_c = g2 p_c + g1: 2 g_P p_c (squared) or g_P */             \
            const T* pc = pb + c * S;                                                                     \
            const T g2 = squared ? 2 * gm[c] : (T)0, g1 = squared ? (T)0 : gm[c];                         \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++) r[s] += pc[s] * (g2 * pc[s] + g1);                          \
        }                                                                                                 \
        for (int64_t c = 0; c < C; c++) {                                                                 \
            T* pc = pb + c * S;                                                                           \
            const T g2 = squared ? 2 * gm[c] : (T)0, g1 = squared ? (T)0 : gm[c];                         \
            _Pragma("omp simd")                                                                           \
            for (int64_t s = 0; s < len; s++)                                                             \
                pc[s] = pc[s] * (g2 * pc[s] + g1 - r[s]) + (tv[s] == (int32_t)c ? b[s] : (T)0);           \
        }                                                                                                 \
    }                                                                                                     \
}

DEFINE_KERNELS(float, f32, exp_nonpositive_f, logf)
DEFINE_KERNELS(double, f64, exp_nonpositive_d, log)

/* Sigmoid (binary / multi-label masks): x, t, valid (N, C, S) with t of type TT (the float type or uint8:
 * bool masks), t = 0 and valid = 0 at ignored elements (valid may be NULL), posw (N, C) or NULL.
 *   forward:  p = σ(x) (0 at ignored elements) is written out, and per (image, class) in float64
 *             inter += p t,  mass += p (p² when squared),  size += t (t² when squared),
 *             nll += (1 + (w − 1) t) softplus(x) − w t x   (the BCE with positive weight w; nll may be NULL)
 *   backward: p is turned into the gradient in place,
 *             grad = p (1 − p) (h + g_I t) + g_L ((1 + (w − 1) t) p − w t),  h = g_P (2 p g_P when squared).
 */
#define DEFINE_SIGMOID(T, TT, SUF, EXP, LOG)                                                              \
int sigmoid_forward_##SUF(const T* x, const TT* t, const uint8_t* valid, const T* posw, int64_t N,        \
                          int64_t C, int64_t S, int squared, T* p, double* inter, double* mass,           \
                          double* size, double* nll, int nthreads) {                                      \
    const int64_t nblk = (S + _B - 1) / _B;                                                               \
    _Pragma("omp parallel for schedule(static) num_threads(nthreads)")                                    \
    for (int64_t row = 0; row < N * C; row++) {                                                           \
        uint8_t ones[_B];                                                                                 \
        T e[_B];                                                                                          \
        memset(ones, 1, sizeof ones);                                                                     \
        const T w = posw ? posw[row] : (T)1, sq = squared ? (T)1 : (T)0;                                  \
        double di = 0, dm = 0, ds = 0, dl = 0;                                                            \
        for (int64_t b = 0; b < nblk; b++) {                                                              \
            const int64_t s0 = b * _B, len = S - s0 < _B ? S - s0 : _B;                                   \
            const T* xb = x + row * S + s0;                                                               \
            const TT* tb = t + row * S + s0;                                                              \
            const uint8_t* ok = valid ? valid + row * S + s0 : ones;                                      \
            T* pb = p + row * S + s0;                                                                     \
            T si = 0, sm = 0, st = 0, sl = 0;                                                             \
            _Pragma("omp simd")                                                                           \
            for (int64_t k = 0; k < len; k++) e[k] = EXP(xb[k] < 0 ? xb[k] : -xb[k]);                     \
            _Pragma("omp simd reduction(+:si,sm,st)")                                                     \
            for (int64_t k = 0; k < len; k++) {                                                           \
                const T q = (T)1 / ((T)1 + e[k]), tv = (T)tb[k];                                          \
                const T pv = (T)ok[k] * (xb[k] >= 0 ? q : e[k] * q);                                      \
                pb[k] = pv;                                                                               \
                si += pv * tv;                                                                            \
                sm += pv * (sq * pv + ((T)1 - sq));                                                       \
                st += tv * (sq * tv + ((T)1 - sq));                                                       \
            }                                                                                             \
            if (nll) {                                                                                    \
                _Pragma("omp simd reduction(+:sl)")                                                       \
                for (int64_t k = 0; k < len; k++) {                                                       \
                    const T xv = xb[k], tv = (T)tb[k];                                                    \
                    const T sp = (xv > 0 ? xv : (T)0) + LOG((T)1 + e[k]);                                 \
                    sl += (T)ok[k] * (((T)1 + (w - (T)1) * tv) * sp - w * tv * xv);                       \
                }                                                                                         \
            }                                                                                             \
            di += si; dm += sm; ds += st; dl += sl;                                                       \
        }                                                                                                 \
        inter[row] = di; mass[row] = dm; size[row] = ds;                                                  \
        if (nll) nll[row] = dl;                                                                           \
    }                                                                                                     \
    return 0;                                                                                             \
}                                                                                                         \
                                                                                                          \
void sigmoid_backward_##SUF(T* p, const TT* t, const T* posw, int64_t N, int64_t C, int64_t S,            \
                            int squared, const T* g_inter, const T* g_mass, const T* g_nll,               \
                            int nthreads) {                                                               \
    _Pragma("omp parallel for schedule(static) num_threads(nthreads)")                                    \
    for (int64_t row = 0; row < N * C; row++) {                                                           \
        T* pr = p + row * S;                                                                              \
        const TT* tr = t + row * S;                                                                       \
        const T gi = g_inter[row], gl = g_nll ? g_nll[row] : (T)0;                                        \
        const T w = posw ? posw[row] : (T)1;                                                              \
        const T g2 = squared ? (T)2 * g_mass[row] : (T)0, g1 = squared ? (T)0 : g_mass[row];              \
        _Pragma("omp simd")                                                                               \
        for (int64_t s = 0; s < S; s++) {                                                                 \
            const T pv = pr[s], tv = (T)tr[s];                                                            \
            const T h = g2 * pv + g1 + gi * tv;                                                           \
            pr[s] = pv * ((T)1 - pv) * h + gl * (((T)1 + (w - (T)1) * tv) * pv - w * tv);                 \
        }                                                                                                 \
    }                                                                                                     \
}

DEFINE_SIGMOID(float, float, f32, exp_nonpositive_f, logf)
DEFINE_SIGMOID(float, uint8_t, f32u8, exp_nonpositive_f, logf)
DEFINE_SIGMOID(double, double, f64, exp_nonpositive_d, log)
DEFINE_SIGMOID(double, uint8_t, f64u8, exp_nonpositive_d, log)
