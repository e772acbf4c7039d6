// exp, expm1 and tanh computed with IEEE float64 +, −, ×, ÷ and bit operations only, so they give
// the same bits on every JavaScript engine and CPU. Math.exp/Math.tanh are implementation-defined:
// Node 20 (V8 11.3) and Chromium 156 disagree by one ulp on about 10% of Math.exp arguments, and
// a C library compiled with fused multiply-add (e.g. on ARM) rounds differently again. The
// generation step's gates use these, so a recipe gives the same tokens in every browser.
//
// Ported from fdlibm as adapted by V8 (src/base/ieee754.cc), whose Math.exp/Math.tanh on x86-64
// they reproduce bit for bit (tested):
//
// ====================================================
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//
// Developed at SunSoft, a Sun Microsystems, Inc. business.
// Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice
// is preserved.
// ====================================================

// fdlibm tests the high 32 bits of |x| against thresholds; here |x| is compared with the double
// those bits start (the same test, without reading words), and 2^k comes from a table.
function fromWords(high: number, low: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setInt32(0, high);
  view.setInt32(4, low);
  return view.getFloat64(0);
}
/** |x| ≥ atLeastHigh(h) ⟺ the high word of |x| is ≥ h (for finite x). */
const atLeastHigh = (high: number): number => fromWords(high, 0);

/** POW2[k + POW2_BIAS] = 2^k for k in -1100..1024 (2^k for k < -1074 is 0, never used). */
const POW2_BIAS = 1100;
const POW2 = Float64Array.from({ length: POW2_BIAS + 1025 }, (_, i) => {
  const k = i - POW2_BIAS;
  return k >= -1022 ? fromWords((0x3ff + k) << 20, 0) : 0;
});
const pow2 = (k: number): number => POW2[k + POW2_BIAS] as number;

const LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.442695040888963387; // 0x3FF71547 652B82FE
const O_THRESHOLD = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const U_THRESHOLD = -7.4513321910194110842e2; // 0xC0874910 D52D3051
const EXP_BIG = atLeastHigh(0x40862e42); // 709.78...
const HALF_LN2_UP = atLeastHigh(0x3fd62e43); // just above ln2/2
const THREE_HALVES_LN2 = atLeastHigh(0x3ff0a2b2);
const TWO_M28 = atLeastHigh(0x3e300000);
const TWO_M1000 = 9.3326361850321887899e-302; // 2^-1000
const TWO_1023 = 8.988465674311579539e307; // 2^1023
const E = 2.718281828459045; // 0x4005BF0A 8B145769

const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;

/** e^x, the same bits everywhere (fdlibm's algorithm; error < 1 ulp). */
export function portableExp(x: number): number {
  const ax = Math.abs(x);
  const negative = x < 0;
  if (!(ax < EXP_BIG)) {
    // |x| >= 709.78..., NaN or ±Infinity
    if (x !== x) return x + x;
    if (ax === Infinity) return negative ? 0 : x;
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let k = 0;
  let hi = 0;
  let lo = 0;
  if (ax >= HALF_LN2_UP) {
    // |x| > ln2/2: reduce to x = k·ln2 + r
    if (ax < THREE_HALVES_LN2) {
      if (x === 1) return E;
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = Math.trunc(INV_LN2 * x + (negative ? -0.5 : 0.5));
      hi = x - k * LN2_HI; // exact
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < TWO_M28) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - (lo - (x * c) / (2.0 - c) - hi);
  if (k >= -1021) return k === 1024 ? y * 2.0 * TWO_1023 : y * pow2(k);
  return y * pow2(k + 1000) * TWO_M1000;
}

const EXPM1_SATURATED = atLeastHigh(0x4043687a); // 56·ln2
const TWO_M54 = atLeastHigh(0x3c900000);
const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;

/** e^x − 1, the same bits everywhere (fdlibm's algorithm; error < 1 ulp). */
export function portableExpm1(x: number): number {
  const ax = Math.abs(x);
  const negative = x < 0;
  if (!(ax < EXPM1_SATURATED)) {
    // |x| >= 56·ln2, NaN or ±Infinity
    if (x !== x) return x + x;
    if (ax === Infinity) return negative ? -1 : x;
    if (x > O_THRESHOLD) return Infinity;
    if (negative) return -1;
  }
  let k = 0;
  let c = 0;
  if (ax >= HALF_LN2_UP) {
    let hi: number;
    let lo: number;
    if (ax < THREE_HALVES_LN2) {
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = Math.trunc(INV_LN2 * x + (negative ? -0.5 : 0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (ax < TWO_M54) {
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1 + 2.0 * (x - e);
  if (k <= -2 || k > 56) {
    const y = 1 - (e - x);
    return (k === 1024 ? y * 2.0 * TWO_1023 : y * pow2(k)) - 1;
  }
  if (k < 20) return (1 - pow2(-k) - (e - x)) * pow2(k); // 1 − 2^-k is exact
  return (x - (e + pow2(-k)) + 1) * pow2(k);
}

/** tanh x, the same bits everywhere (fdlibm's algorithm). */
export function portableTanh(x: number): number {
  if (x !== x) return x + x;
  const ax = Math.abs(x);
  let z: number;
  if (ax < 22) {
    if (ax < TWO_M28) return x;
    if (ax >= 1) {
      z = 1 - 2 / (portableExpm1(2 * ax) + 2);
    } else {
      const t = portableExpm1(-2 * ax);
      z = -t / (t + 2);
    }
  } else {
    z = 1; // fdlibm's 1 − 1e-300, which rounds to 1 (and covers ±Infinity)
  }
  return x < 0 ? -z : z;
}

/**
 * ln x for x > 0, the same bits everywhere: exact halvings to [√½, √2], then 2·atanh((m−1)/(m+1))
 * as a fixed series (|z| ≤ 0.172, 12 terms: relative error < 1e-15). Not fdlibm's log; nothing
 * needs it to match Math.log, only to be the same on every engine.
 */
export function portableLog(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let k = 0;
  let m = x;
  while (m >= 2) {
    m /= 2;
    k++;
  }
  while (m < 1) {
    m *= 2;
    k--;
  }
  if (m > Math.SQRT2) {
    m /= 2;
    k++;
  }
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let term = z;
  let sum = 0;
  for (let n = 1; n <= 23; n += 2) {
    sum += term / n;
    term *= z2;
  }
  return k * LN2_HI + (2 * sum + k * LN2_LO);
}
