;; Motif's generation step kernel: z += x · W for one layer of a batch-1 step, in float64.
;;
;; Bit-identical to the plain-JS step (`accumulate` in ../step-weights.ts): every weight is a float32
;; widened exactly to float64, and each output column is summed as
;;   z_j = z_j + x_0·W[0][j];  z_j = z_j + x_1·W[1][j];  ...  (rows strictly in order)
;; with one IEEE float64 multiply and one float64 add per term (no FMA, no relaxed SIMD).
;; Only the grouping of columns into registers is free, and that does not change any sum.
;;
;; Layout (packed once at load by wasm-step-model.ts): the columns are cut into blocks of 16; for
;; each block, row 0's 16 float32 weights, then row 1's, ... (64 contiguous bytes per row), columns
;; past the matrix padded with zeros. So the inner loop streams memory sequentially and keeps the
;; block's 16 sums in eight f64x2 registers across all rows.
;;
;; Regenerate the embedded bytes after editing: `pnpm --filter @motif/core build:wasm`.
(module
  (memory (export "memory") 0)

  ;; $weights: packed blocks (see above), 16-byte aligned
  ;; $x:       the layer input, `rows` float64 values
  ;; $z:       `blocks`·16 float64 sums, read (bias) and written back in place
  (func (export "accumulate")
    (param $weights i32) (param $x i32) (param $rows i32) (param $z i32) (param $blocks i32)
    (local $sum0 v128) (local $sum1 v128) (local $sum2 v128) (local $sum3 v128)
    (local $sum4 v128) (local $sum5 v128) (local $sum6 v128) (local $sum7 v128)
    (local $xi v128) (local $xp i32) (local $xEnd i32)
    (local.set $xEnd (i32.add (local.get $x) (i32.shl (local.get $rows) (i32.const 3))))
    (block $blocksDone
      (loop $eachBlock
        (br_if $blocksDone (i32.eqz (local.get $blocks)))
        (local.set $sum0 (v128.load offset=0 (local.get $z)))
        (local.set $sum1 (v128.load offset=16 (local.get $z)))
        (local.set $sum2 (v128.load offset=32 (local.get $z)))
        (local.set $sum3 (v128.load offset=48 (local.get $z)))
        (local.set $sum4 (v128.load offset=64 (local.get $z)))
        (local.set $sum5 (v128.load offset=80 (local.get $z)))
        (local.set $sum6 (v128.load offset=96 (local.get $z)))
        (local.set $sum7 (v128.load offset=112 (local.get $z)))
        (local.set $xp (local.get $x))
        (block $rowsDone
          (loop $eachRow
            (br_if $rowsDone (i32.ge_u (local.get $xp) (local.get $xEnd)))
            (local.set $xi (f64x2.splat (f64.load (local.get $xp))))
            ;; two float32 weights at a time, widened exactly (a 64-bit load, then promote)
            (local.set $sum0 (f64x2.add (local.get $sum0) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (local.get $weights))))))
            (local.set $sum1 (f64x2.add (local.get $sum1) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $weights))))))
            (local.set $sum2 (f64x2.add (local.get $sum2) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=16 (local.get $weights))))))
            (local.set $sum3 (f64x2.add (local.get $sum3) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=24 (local.get $weights))))))
            (local.set $sum4 (f64x2.add (local.get $sum4) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=32 (local.get $weights))))))
            (local.set $sum5 (f64x2.add (local.get $sum5) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=40 (local.get $weights))))))
            (local.set $sum6 (f64x2.add (local.get $sum6) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=48 (local.get $weights))))))
            (local.set $sum7 (f64x2.add (local.get $sum7) (f64x2.mul (local.get $xi)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=56 (local.get $weights))))))
            (local.set $weights (i32.add (local.get $weights) (i32.const 64)))
            (local.set $xp (i32.add (local.get $xp) (i32.const 8)))
            (br $eachRow)))
        (v128.store offset=0 (local.get $z) (local.get $sum0))
        (v128.store offset=16 (local.get $z) (local.get $sum1))
        (v128.store offset=32 (local.get $z) (local.get $sum2))
        (v128.store offset=48 (local.get $z) (local.get $sum3))
        (v128.store offset=64 (local.get $z) (local.get $sum4))
        (v128.store offset=80 (local.get $z) (local.get $sum5))
        (v128.store offset=96 (local.get $z) (local.get $sum6))
        (v128.store offset=112 (local.get $z) (local.get $sum7))
        (local.set $z (i32.add (local.get $z) (i32.const 128)))
        (local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
        (br $eachBlock)))))
