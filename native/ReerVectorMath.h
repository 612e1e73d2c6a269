// reer: the passes over a whole vocabulary of logits that scoring and sampling make for
// every token, vectorised for the CPU that runs them (see ReerVectorMath.cpp).
#pragma once
#include <cstdint>

// The largest of x[0..n), NaN skipped; -inf when n == 0 or all are NaN.
float reerMaxOf(const float* x, int32_t n);

// Sum over i of expf(x[i] - shift), each term rounded to float as glibc's expf rounds it
// and summed in double. When out is not null, out[i] receives the term; out must not
// overlap x.
double reerExpSum(const float* x, int32_t n, float shift, float* out);

// The same sum with each term computed in float, within 2 ulp of exp (about four times
// faster): for sampling, where no score depends on the last bits. Terms below exp(-87), and
// NaN ones, are 0. out (required, not overlapping x) receives the terms.
double reerExpSumFloat(const float* x, int32_t n, float shift, float* out);

// bucket[i] = floor((top - x[i]) * perUnit) for x[i] <= top, capped at last; NaN and -inf
// go to last.
void reerBucketsBelow(const float* x, int32_t n, float top, float perUnit, uint16_t last, uint16_t* bucket);

// Which implementation runs ("avx512", "avx2" or "generic"): the best this CPU supports.
const char* reerVectorMathKind();

// Switches to another implementation (for tests); false when this CPU cannot run it.
bool reerVectorMathUse(const char* kind);
