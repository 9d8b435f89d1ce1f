;; Attention for the fast path on tfjs-wasm, over tfjs-wasm's own heap: a cached decode step's (with the
;; full cache's append folded in, or over a static cache's slabs), and a causal pass's over a whole
;; sequence (a naive step, a first prefill); a decode step's linear layers, one row each (gemv), with
;; the LayerNorm before them (normalize_row) and GELU after (gelu); and the bench's read-bandwidth probe
;; (read_sum).
;;
;; Compiled by scripts/build-wasm.ts into attention-wasm.ts (the bytes, base64); wasm-attention.ts
;; instantiates it against tfjs-wasm's WebAssembly.Memory and calls it from four registered kernels.
;; All pointers are byte offsets into that memory; every tensor is float32, row-major.
;; hs must be a multiple of 8 (two f32x4 lane groups at a time).
;;
;; The decode step (append_scores, then softmax_rows, then append_weighted):
;;   q [nkv, g, hs] (already × 1/√hs), pastK/pastV [nkv, Tp, hs], newK/newV [nkv, 1, hs],
;;   outK/outV [nkv, Tp + 1, hs], scores [nkv, g, Tp + 1], y [nkv, g, hs].
;; Each head's cached rows are read from memory once: copied into the new cache (memory.copy), then,
;; while that block (≤ 256 KiB at hs = 64 and 1,024 positions) sits in L2, dotted with the group's
;; queries (keys) or added into their outputs (values). softmax_rows takes the softmax between the two
;; calls, with its own exp (wasm has none; $exp4 below).
;;
;; The causal pass, one query head at a time (causal_scores, softmax_causal, causal_weighted), reads the
;; projections where they lie, rows of [T, width] with the head's hs columns at a byte offset, so no
;; head needs a transpose: query t sees keys 0…t, and scores [T, T] fills only that lower triangle.
;;
;; A static cache's decode step (slab_scores, softmax_rows, slab_weighted) reads position-major slabs
;; row by row; the new row is already in place, so nothing is copied (see those functions).
(module
  (import "env" "memory" (memory 1))

  ;; out[h] = past[h] ++ new[h] for every head: Tp rows then one.
  (func $append (param $past i32) (param $new i32) (param $out i32) (param $h i32) (param $Tp i32) (param $rowBytes i32) (result i32)
    (local $dst i32)
    (local.set $dst (i32.add (local.get $out) (i32.mul (i32.mul (local.get $h) (i32.add (local.get $Tp) (i32.const 1))) (local.get $rowBytes))))
    (memory.copy (local.get $dst)
      (i32.add (local.get $past) (i32.mul (i32.mul (local.get $h) (local.get $Tp)) (local.get $rowBytes)))
      (i32.mul (local.get $Tp) (local.get $rowBytes)))
    (memory.copy (i32.add (local.get $dst) (i32.mul (local.get $Tp) (local.get $rowBytes)))
      (i32.add (local.get $new) (i32.mul (local.get $h) (local.get $rowBytes)))
      (local.get $rowBytes))
    (local.get $dst))

  ;; outK = pastK ++ newK (per head), and scores[h, r, t] = q[h, r] · outK[h, t]: each head's block is
  ;; copied, then dotted while it is still in L2.
  (func (export "append_scores")
    (param $q i32) (param $pastK i32) (param $newK i32) (param $outK i32) (param $scores i32)
    (param $nkv i32) (param $g i32) (param $hs i32) (param $Tp i32)
    (local $h i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $hs) (i32.const 2)))
    (loop $heads
      (call $scores
        (i32.add (local.get $q) (i32.mul (i32.mul (local.get $h) (local.get $g)) (local.get $rowBytes)))
        (call $append (local.get $pastK) (local.get $newK) (local.get $outK) (local.get $h) (local.get $Tp) (local.get $rowBytes))
        (i32.add (local.get $scores) (i32.shl (i32.mul (i32.mul (local.get $h) (local.get $g)) (i32.add (local.get $Tp) (i32.const 1))) (i32.const 2)))
        (i32.add (local.get $Tp) (i32.const 1)) (local.get $rowBytes) (i32.const 0) (i32.const 1) (local.get $g) (local.get $hs))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br_if $heads (i32.lt_u (local.get $h) (local.get $nkv)))))

  ;; outV = pastV ++ newV (per head), and y[h, r] = Σ_t probs[h, r, t] · outV[h, t].
  (func (export "append_weighted")
    (param $probs i32) (param $pastV i32) (param $newV i32) (param $outV i32) (param $y i32)
    (param $nkv i32) (param $g i32) (param $hs i32) (param $Tp i32)
    (local $h i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $hs) (i32.const 2)))
    (loop $heads
      (call $weighted
        (i32.add (local.get $probs) (i32.shl (i32.mul (i32.mul (local.get $h) (local.get $g)) (i32.add (local.get $Tp) (i32.const 1))) (i32.const 2)))
        (call $append (local.get $pastV) (local.get $newV) (local.get $outV) (local.get $h) (local.get $Tp) (local.get $rowBytes))
        (i32.add (local.get $y) (i32.mul (i32.mul (local.get $h) (local.get $g)) (local.get $rowBytes)))
        (i32.add (local.get $Tp) (i32.const 1)) (local.get $rowBytes) (i32.const 0) (i32.const 1) (local.get $g) (local.get $hs))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br_if $heads (i32.lt_u (local.get $h) (local.get $nkv)))))

  ;; [a0, a1, a2, a3] → [Σa0, Σa1, Σa2, Σa3], each lane sum as (x0 + x2) + (x1 + x3).
  (func $hsum4 (param $a0 v128) (param $a1 v128) (param $a2 v128) (param $a3 v128) (result v128)
    (local $s01 v128) (local $s23 v128)
    (local.set $s01 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
    (local.set $s23 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s01) (local.get $s23))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s01) (local.get $s23))))

  ;; scores[h, r, s] = q[h, r] · keys[h, s] for s < n, h < nkv, r < g: key row s of head h at
  ;; $keys + s·$rowStride + h·$headStride (the full cache's head-major blocks, or a slab's position-major
  ;; rows), q and scores packed. Four dot products run side by side, over rows s, s + Q, s + 2Q and
  ;; s + 3Q (Q = n/4, rounded down): four read streams, each moving forward through its own quarter of the rows.
  ;; Reading from memory (a slab is read once a step, after the weights' 44 MB have gone through the
  ;; cache), this took half the time of four adjacent rows (measured: 10m's six slabs at 1,000 positions,
  ;; 0.87 against 1.70 ms), whose accesses hop back and forth inside a few pages, which the hardware's
  ;; prefetchers cannot follow as well as four forward streams. The last n mod 4 rows one at a time,
  ;; summed in the same order.
  (func $scores
    (param $q i32) (param $keys i32) (param $out i32) (param $n i32) (param $rowStride i32) (param $headStride i32)
    (param $nkv i32) (param $g i32) (param $hs i32)
    (local $s i32) (local $h i32) (local $r i32) (local $j i32) (local $rowBytes i32) (local $qr i32) (local $o i32)
    (local $k0 i32) (local $k1 i32) (local $k2 i32) (local $k3 i32) (local $Q i32) (local $quarter i32) (local $qb i32)
    (local $qv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sums v128)
    (local.set $rowBytes (i32.shl (local.get $hs) (i32.const 2)))
    (local.set $Q (i32.shr_u (local.get $n) (i32.const 2)))
    (local.set $quarter (i32.mul (local.get $Q) (local.get $rowStride))) ;; bytes from one stream to the next
    (local.set $qb (i32.shl (local.get $Q) (i32.const 2))) ;; and from one stream's scores to the next's
    (block $quadsDone (loop $quads
      (br_if $quadsDone (i32.ge_u (local.get $s) (local.get $Q)))
      (local.set $h (i32.const 0))
      (loop $heads
        (local.set $k0 (i32.add (i32.add (local.get $keys) (i32.mul (local.get $s) (local.get $rowStride)))
          (i32.mul (local.get $h) (local.get $headStride))))
        (local.set $k1 (i32.add (local.get $k0) (local.get $quarter)))
        (local.set $k2 (i32.add (local.get $k1) (local.get $quarter)))
        (local.set $k3 (i32.add (local.get $k2) (local.get $quarter)))
        (local.set $qr (i32.add (local.get $q) (i32.mul (i32.mul (local.get $h) (local.get $g)) (local.get $rowBytes))))
        (local.set $o (i32.add (local.get $out)
          (i32.shl (i32.add (i32.mul (i32.mul (local.get $h) (local.get $g)) (local.get $n)) (local.get $s)) (i32.const 2))))
        (local.set $r (i32.const 0))
        (loop $queries
          (local.set $a0 (v128.const f32x4 0 0 0 0))
          (local.set $a1 (v128.const f32x4 0 0 0 0))
          (local.set $a2 (v128.const f32x4 0 0 0 0))
          (local.set $a3 (v128.const f32x4 0 0 0 0))
          (local.set $j (i32.const 0))
          (loop $dims
            (local.set $qv (v128.load (i32.add (local.get $qr) (local.get $j))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k0) (local.get $j))))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k1) (local.get $j))))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k2) (local.get $j))))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $k3) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $dims (i32.lt_u (local.get $j) (local.get $rowBytes))))
          (local.set $sums (call $hsum4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
          (f32.store (local.get $o) (f32x4.extract_lane 0 (local.get $sums)))
          (f32.store (i32.add (local.get $o) (local.get $qb)) (f32x4.extract_lane 1 (local.get $sums)))
          (f32.store (i32.add (local.get $o) (i32.shl (local.get $qb) (i32.const 1))) (f32x4.extract_lane 2 (local.get $sums)))
          (f32.store (i32.add (local.get $o) (i32.mul (local.get $qb) (i32.const 3))) (f32x4.extract_lane 3 (local.get $sums)))
          (local.set $qr (i32.add (local.get $qr) (local.get $rowBytes)))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $queries (i32.lt_u (local.get $r) (local.get $g))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br_if $heads (i32.lt_u (local.get $h) (local.get $nkv))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $quads)))
    (local.set $s (i32.shl (local.get $Q) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $s) (local.get $n)))
      (local.set $h (i32.const 0))
      (loop $heads1
        (local.set $k0 (i32.add (i32.add (local.get $keys) (i32.mul (local.get $s) (local.get $rowStride)))
          (i32.mul (local.get $h) (local.get $headStride))))
        (local.set $qr (i32.add (local.get $q) (i32.mul (i32.mul (local.get $h) (local.get $g)) (local.get $rowBytes))))
        (local.set $o (i32.add (local.get $out)
          (i32.shl (i32.add (i32.mul (i32.mul (local.get $h) (local.get $g)) (local.get $n)) (local.get $s)) (i32.const 2))))
        (local.set $r (i32.const 0))
        (loop $queries1
          (local.set $a0 (v128.const f32x4 0 0 0 0))
          (local.set $j (i32.const 0))
          (loop $dims1
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (v128.load (i32.add (local.get $qr) (local.get $j))) (v128.load (i32.add (local.get $k0) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $dims1 (i32.lt_u (local.get $j) (local.get $rowBytes))))
          (f32.store (local.get $o) (f32x4.extract_lane 0
            (call $hsum4 (local.get $a0) (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0) (v128.const f32x4 0 0 0 0))))
          (local.set $qr (i32.add (local.get $qr) (local.get $rowBytes)))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $queries1 (i32.lt_u (local.get $r) (local.get $g))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br_if $heads1 (i32.lt_u (local.get $h) (local.get $nkv))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $rows))))

  ;; y[h, r] = Σ_{s<n} probs[h, r, s] · values[h, s], value rows laid out as $scores's keys, y packed
  ;; [nkv, g, hs] (zeroed here first). Four rows at a time, s, s + Q, s + 2Q and s + 3Q, four forward
  ;; streams as in $scores: each y chunk is loaded and stored once per four rows.
  (func $weighted
    (param $probs i32) (param $values i32) (param $y i32) (param $n i32) (param $rowStride i32) (param $headStride i32)
    (param $nkv i32) (param $g i32) (param $hs i32)
    (local $s i32) (local $h i32) (local $r i32) (local $j i32) (local $rowBytes i32) (local $yr i32) (local $p i32) (local $at i32)
    (local $v0 i32) (local $v1 i32) (local $v2 i32) (local $v3 i32) (local $Q i32) (local $quarter i32) (local $qb i32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local.set $rowBytes (i32.shl (local.get $hs) (i32.const 2)))
    (local.set $Q (i32.shr_u (local.get $n) (i32.const 2)))
    (local.set $quarter (i32.mul (local.get $Q) (local.get $rowStride)))
    (local.set $qb (i32.shl (local.get $Q) (i32.const 2)))
    (memory.fill (local.get $y) (i32.const 0) (i32.mul (i32.mul (local.get $nkv) (local.get $g)) (local.get $rowBytes)))
    (block $quadsDone (loop $quads
      (br_if $quadsDone (i32.ge_u (local.get $s) (local.get $Q)))
      (local.set $h (i32.const 0))
      (loop $heads
        (local.set $v0 (i32.add (i32.add (local.get $values) (i32.mul (local.get $s) (local.get $rowStride)))
          (i32.mul (local.get $h) (local.get $headStride))))
        (local.set $v1 (i32.add (local.get $v0) (local.get $quarter)))
        (local.set $v2 (i32.add (local.get $v1) (local.get $quarter)))
        (local.set $v3 (i32.add (local.get $v2) (local.get $quarter)))
        (local.set $r (i32.const 0))
        (loop $queries
          (local.set $p (i32.add (local.get $probs)
            (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $h) (local.get $g)) (local.get $r)) (local.get $n)) (local.get $s)) (i32.const 2))))
          (local.set $w0 (v128.load32_splat (local.get $p)))
          (local.set $w1 (v128.load32_splat (i32.add (local.get $p) (local.get $qb))))
          (local.set $w2 (v128.load32_splat (i32.add (local.get $p) (i32.shl (local.get $qb) (i32.const 1)))))
          (local.set $w3 (v128.load32_splat (i32.add (local.get $p) (i32.mul (local.get $qb) (i32.const 3)))))
          (local.set $yr (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (local.get $h) (local.get $g)) (local.get $r)) (local.get $rowBytes))))
          (local.set $j (i32.const 0))
          (loop $dims
            (local.set $at (i32.add (local.get $yr) (local.get $j)))
            (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at))
              (f32x4.add
                (f32x4.add (f32x4.mul (local.get $w0) (v128.load (i32.add (local.get $v0) (local.get $j))))
                           (f32x4.mul (local.get $w1) (v128.load (i32.add (local.get $v1) (local.get $j)))))
                (f32x4.add (f32x4.mul (local.get $w2) (v128.load (i32.add (local.get $v2) (local.get $j))))
                           (f32x4.mul (local.get $w3) (v128.load (i32.add (local.get $v3) (local.get $j))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $dims (i32.lt_u (local.get $j) (local.get $rowBytes))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $queries (i32.lt_u (local.get $r) (local.get $g))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br_if $heads (i32.lt_u (local.get $h) (local.get $nkv))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $quads)))
    (local.set $s (i32.shl (local.get $Q) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $s) (local.get $n)))
      (local.set $h (i32.const 0))
      (loop $heads1
        (local.set $v0 (i32.add (i32.add (local.get $values) (i32.mul (local.get $s) (local.get $rowStride)))
          (i32.mul (local.get $h) (local.get $headStride))))
        (local.set $r (i32.const 0))
        (loop $queries1
          (local.set $w0 (v128.load32_splat (i32.add (local.get $probs)
            (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $h) (local.get $g)) (local.get $r)) (local.get $n)) (local.get $s)) (i32.const 2)))))
          (local.set $yr (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (local.get $h) (local.get $g)) (local.get $r)) (local.get $rowBytes))))
          (local.set $j (i32.const 0))
          (loop $dims1
            (local.set $at (i32.add (local.get $yr) (local.get $j)))
            (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at))
              (f32x4.mul (local.get $w0) (v128.load (i32.add (local.get $v0) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $dims1 (i32.lt_u (local.get $j) (local.get $rowBytes))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $queries1 (i32.lt_u (local.get $r) (local.get $g))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br_if $heads1 (i32.lt_u (local.get $h) (local.get $nkv))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $rows))))
;; e^x in each lane, for x ≤ 0 (a softmax's x − max): Cephes' expf. x = n·ln 2 + r with |r| ≤ ½ ln 2
;; (ln 2 split in two so n·ln 2 is exact), e^r from a degree-6 polynomial (relative error ~1e-7, a
;; float32's rounding), 2^n put straight into the exponent bits. Below −87.3 the result (< 2⁻¹²⁶,
;; beside a softmax's largest term of 1) is taken at the clamp: float32's smallest normal.
;; n = round(x·log₂e) comes from adding 1.5·2²³, which leaves n, rounded to nearest even, in the low
;; mantissa bits: shifted up 23 they are n's exponent field, with no float-to-int conversion (wasm's
;; saturating one costs several x86 instructions). pmax, not max, for the clamp: one instruction, and
;; a NaN x still comes through.
  (func $exp4 (param $x v128) (result v128)
    (local $t v128) (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmax (local.get $x) (v128.const f32x4 -87.33654 -87.33654 -87.33654 -87.33654)))
    (local.set $t (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
      (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $n (f32x4.sub (local.get $t) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r))
      (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; p·r² + r + 1
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (v128.const f32x4 1 1 1 1)))
    (f32x4.mul (local.get $p)
      (i32x4.add (i32x4.shl (local.get $t) (i32.const 23)) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))

  ;; softmax over the n floats at $at, in place: max, then e^(x − max) and their sum, then × 1/sum.
  ;; Four lanes at a time; a row's last n mod 4 floats one lane at a time.
  (func $softmax (param $at i32) (param $n i32)
    (local $end i32) (local $vend i32) (local $p i32) (local $m v128) (local $s v128) (local $e v128)
    (local $max f32) (local $sum f32)
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $at) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    ;; the max
    (local.set $m (f32x4.splat (f32.const -inf)))
    (local.set $p (local.get $at))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $p) (local.get $vend)))
      (local.set $m (f32x4.pmax (local.get $m) (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $vec)))
    (local.set $max (f32.max (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                             (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $max (f32.max (local.get $max) (f32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $tail)))
    ;; e^(x − max), and their sum
    (local.set $m (f32x4.splat (local.get $max)))
    (local.set $p (local.get $at))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $p) (local.get $vend)))
      (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $p)) (local.get $m))))
      (v128.store (local.get $p) (local.get $e))
      (local.set $s (f32x4.add (local.get $s) (local.get $e)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $vec)))
    (local.set $sum (f32.add (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
                             (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $e (call $exp4 (f32x4.splat (f32.sub (f32.load (local.get $p)) (local.get $max)))))
      (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $e)))
      (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $e))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $tail)))
    ;; × 1/sum
    (local.set $max (f32.div (f32.const 1) (local.get $sum)))
    (local.set $m (f32x4.splat (local.get $max)))
    (local.set $p (local.get $at))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $p) (local.get $vend)))
      (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $m)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $vec)))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $max)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $tail))))

  ;; A decode step's scores [rows, n]: a softmax over each row.
  (func (export "softmax_rows") (param $at i32) (param $rows i32) (param $n i32)
    (local $r i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (call $softmax (i32.add (local.get $at) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))) (local.get $n))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each))))

  ;; A causal pass's scores [T, T]: row t's softmax over its keys 0…t only.
  (func (export "softmax_causal") (param $at i32) (param $T i32)
    (local $t i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $t) (local.get $T)))
      (call $softmax (i32.add (local.get $at) (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2)))
        (i32.add (local.get $t) (i32.const 1)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $each))))

  ;; The dot product of hs floats at $a and $b.
  (func $dot (param $a i32) (param $b i32) (param $bytes i32) (result f32)
    (local $j i32) (local $x v128) (local $y v128)
    (loop $dims
      (local.set $x (f32x4.add (local.get $x)
        (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $j))) (v128.load (i32.add (local.get $b) (local.get $j))))))
      (local.set $y (f32x4.add (local.get $y)
        (f32x4.mul (v128.load offset=16 (i32.add (local.get $a) (local.get $j))) (v128.load offset=16 (i32.add (local.get $b) (local.get $j))))))
      (local.set $j (i32.add (local.get $j) (i32.const 32)))
      (br_if $dims (i32.lt_u (local.get $j) (local.get $bytes))))
    (local.set $x (f32x4.add (local.get $x) (local.get $y)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $x)) (f32x4.extract_lane 1 (local.get $x)))
      (f32.add (f32x4.extract_lane 2 (local.get $x)) (f32x4.extract_lane 3 (local.get $x)))))

  ;; scores[t, s] = q[t] · k[s] for s ≤ t: q's rows are $qStride bytes apart, k's $kStride.
  (func (export "causal_scores")
    (param $q i32) (param $k i32) (param $scores i32) (param $T i32) (param $qStride i32) (param $kStride i32) (param $hs i32)
    (local $t i32) (local $s i32) (local $rowBytes i32) (local $qr i32) (local $kr i32) (local $out i32)
    (local.set $rowBytes (i32.shl (local.get $hs) (i32.const 2)))
    (loop $queries
      (local.set $qr (i32.add (local.get $q) (i32.mul (local.get $t) (local.get $qStride))))
      (local.set $out (i32.add (local.get $scores) (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2))))
      (local.set $kr (local.get $k))
      (local.set $s (i32.const 0))
      (loop $keys
        (f32.store (local.get $out) (call $dot (local.get $qr) (local.get $kr) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $kr (i32.add (local.get $kr) (local.get $kStride)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br_if $keys (i32.le_u (local.get $s) (local.get $t))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $queries (i32.lt_u (local.get $t) (local.get $T)))))

  ;; y[t] = Σ_{s ≤ t} probs[t, s] · v[s]: y's rows are $yStride bytes apart, v's $vStride.
  (func (export "causal_weighted")
    (param $probs i32) (param $v i32) (param $y i32) (param $T i32) (param $yStride i32) (param $vStride i32) (param $hs i32)
    (local $t i32) (local $s i32) (local $j i32) (local $rowBytes i32) (local $yr i32) (local $vr i32) (local $p i32)
    (local $a v128) (local $b v128) (local $w v128)
    (local.set $rowBytes (i32.shl (local.get $hs) (i32.const 2)))
    (loop $queries
      (local.set $yr (i32.add (local.get $y) (i32.mul (local.get $t) (local.get $yStride))))
      (local.set $p (i32.add (local.get $probs) (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2))))
      ;; Eight output floats at a time, kept in registers across every key.
      (local.set $j (i32.const 0))
      (loop $dims
        (local.set $a (v128.const f32x4 0 0 0 0))
        (local.set $b (v128.const f32x4 0 0 0 0))
        (local.set $vr (i32.add (local.get $v) (local.get $j)))
        (local.set $s (i32.const 0))
        (loop $keys
          (local.set $w (f32x4.splat (f32.load (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))))
          (local.set $a (f32x4.add (local.get $a) (f32x4.mul (local.get $w) (v128.load (local.get $vr)))))
          (local.set $b (f32x4.add (local.get $b) (f32x4.mul (local.get $w) (v128.load offset=16 (local.get $vr)))))
          (local.set $vr (i32.add (local.get $vr) (local.get $vStride)))
          (local.set $s (i32.add (local.get $s) (i32.const 1)))
          (br_if $keys (i32.le_u (local.get $s) (local.get $t))))
        (v128.store (i32.add (local.get $yr) (local.get $j)) (local.get $a))
        (v128.store offset=16 (i32.add (local.get $yr) (local.get $j)) (local.get $b))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br_if $dims (i32.lt_u (local.get $j) (local.get $rowBytes))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $queries (i32.lt_u (local.get $t) (local.get $T)))))
;; A static cache's decode step (kvcache-static.ts): keys and values in position-major slabs, row s
;; holding every head's hs floats ($rowStride bytes apart), the newest row already written in place,
;; so nothing is copied: $scores and $weighted walk rows 0…n−1, each head's hs floats at an offset.
;;   q [nkv, g, hs] (× 1/√hs), slab rows 0…n−1, scores [nkv, g, n], y [nkv, g, hs].
  (func (export "slab_scores")
    (param $q i32) (param $slab i32) (param $scores i32) (param $n i32) (param $rowStride i32)
    (param $nkv i32) (param $g i32) (param $hs i32)
    (call $scores (local.get $q) (local.get $slab) (local.get $scores) (local.get $n) (local.get $rowStride)
      (i32.shl (local.get $hs) (i32.const 2)) (local.get $nkv) (local.get $g) (local.get $hs)))

  (func (export "slab_weighted")
    (param $probs i32) (param $slab i32) (param $y i32) (param $n i32) (param $rowStride i32)
    (param $nkv i32) (param $g i32) (param $hs i32)
    (call $weighted (local.get $probs) (local.get $slab) (local.get $y) (local.get $n) (local.get $rowStride)
      (i32.shl (local.get $hs) (i32.const 2)) (local.get $nkv) (local.get $g) (local.get $hs)))
;; GPT-2's tanh GELU in its sigmoid form, x·σ(z) with z = k1·x + k3·x³ (k1 = 2·√(2/π), k3 = k1·0.044715),
;; in place over the n floats at $at: a decode step's MLP row right after its gemv, or a whole pass's.
;; σ from one e^(−|z|) (≤ 1, the range $exp4 serves): 1/(1 + e) where z ≥ 0, e/(1 + e) below. Past
;; |z| ≈ 87 the clamp in $exp4 leaves σ within 1e-38 of 0 or 1.
  (func $gelu4 (param $x v128) (result v128)
    (local $z v128) (local $e v128)
    (local.set $z (f32x4.mul (local.get $x)
      (f32x4.add (f32x4.splat (f32.const 1.5957691216057308))
                 (f32x4.mul (f32x4.splat (f32.const 0.07135481627260025)) (f32x4.mul (local.get $x) (local.get $x))))))
    (local.set $e (call $exp4 (f32x4.neg (f32x4.abs (local.get $z)))))
    (f32x4.mul (local.get $x)
      (f32x4.div (v128.bitselect (f32x4.splat (f32.const 1)) (local.get $e) (f32x4.ge (local.get $z) (f32x4.splat (f32.const 0))))
                 (f32x4.add (f32x4.splat (f32.const 1)) (local.get $e)))))

  (func (export "gelu") (param $at i32) (param $n i32)
    (local $end i32) (local $vend i32)
    (local.set $end (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $at) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $vec
      (br_if $done (i32.ge_u (local.get $at) (local.get $vend)))
      (v128.store (local.get $at) (call $gelu4 (v128.load (local.get $at))))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br $vec)))
    ;; the last n mod 4 floats, one lane at a time
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (f32.store (local.get $at) (f32x4.extract_lane 0 (call $gelu4 (f32x4.splat (f32.load (local.get $at))))))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $tail))))

;; LayerNorm's normalisation of one row, x̂ = (x − mean) / √(var + ε), of the K floats at $x into $out:
;; the input of a decode step's linear layers, computed just before the gemv that reads it. Sums in
;; float64, each op as wasm-kernels.ts's LayerNorm kernel takes it in JavaScript, so both give the same
;; bits.
  (func (export "normalize_row") (param $x i32) (param $out i32) (param $K i32) (param $eps f64)
    (local $end i32) (local $p i32) (local $sum f64) (local $mean f64) (local $d f64) (local $inv f64)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $K) (i32.const 2))))
    (local.set $p (local.get $x))
    (loop $sums
      (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.load (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $sums (i32.lt_u (local.get $p) (local.get $end))))
    (local.set $mean (f64.div (local.get $sum) (f64.convert_i32_u (local.get $K))))
    (local.set $sum (f64.const 0))
    (local.set $p (local.get $x))
    (loop $squares
      (local.set $d (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (local.get $mean)))
      (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $d) (local.get $d))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $squares (i32.lt_u (local.get $p) (local.get $end))))
    (local.set $inv (f64.div (f64.const 1)
      (f64.sqrt (f64.add (f64.div (local.get $sum) (f64.convert_i32_u (local.get $K))) (local.get $eps)))))
    (local.set $p (local.get $x))
    (loop $outs
      (f32.store (local.get $out)
        (f32.demote_f64 (f64.mul (f64.sub (f64.promote_f32 (f32.load (local.get $p))) (local.get $mean)) (local.get $inv))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $outs (i32.lt_u (local.get $p) (local.get $end)))))

;; One row through a linear layer (a decode step's every matMul): y[N] = b[N] + Σ_k x[k] · W[k, :], W
;; row-major [K, N] (the fast path's [1, in, out] weights as they lie), N a multiple of 4. W is read
;; once, four rows at a time from its four quarters (four forward streams, as in $scores), into y (a
;; few KB, kept in L1). tfjs-wasm's XNNPACK matMul took 3.9 ms for the ~11M model's 25 one-row products
;; where four adjacent rows at a time took 1.8–2.6 ms, and the four quarters ×0.73–0.92 of that
;; (measured: the same products, alternated in one process).
;; $res, when not 0, points at N more floats added into y first: the residual stream a block's two
;; output projections add to (x + attn(x), x + mlp(x)), so that sum needs no kernel of its own.
  (func (export "gemv") (param $x i32) (param $W i32) (param $b i32) (param $res i32) (param $y i32) (param $K i32) (param $N i32)
    (local $k i32) (local $j i32) (local $rowBytes i32) (local $at i32) (local $xk i32)
    (local $Q i32) (local $quarter i32) (local $qx i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local.set $rowBytes (i32.shl (local.get $N) (i32.const 2)))
    (memory.copy (local.get $y) (local.get $b) (local.get $rowBytes))
    (if (local.get $res)
      (then
        (loop $adds
          (local.set $at (i32.add (local.get $y) (local.get $j)))
          (v128.store (local.get $at)
            (f32x4.add (v128.load (local.get $at)) (v128.load (i32.add (local.get $res) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $adds (i32.lt_u (local.get $j) (local.get $rowBytes))))))
    (local.set $Q (i32.shr_u (local.get $K) (i32.const 2)))
    (local.set $quarter (i32.mul (local.get $Q) (local.get $rowBytes)))
    (local.set $qx (i32.shl (local.get $Q) (i32.const 2)))
    (local.set $r0 (local.get $W))
    ;; four rows of W at a time, k, k + Q, k + 2Q and k + 3Q (Q = K/4, rounded down): four forward
    ;; streams, as the attention kernels read (see $scores)
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.ge_u (local.get $k) (local.get $Q)))
        (local.set $xk (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2))))
        (local.set $w0 (v128.load32_splat (local.get $xk)))
        (local.set $w1 (v128.load32_splat (i32.add (local.get $xk) (local.get $qx))))
        (local.set $w2 (v128.load32_splat (i32.add (local.get $xk) (i32.shl (local.get $qx) (i32.const 1)))))
        (local.set $w3 (v128.load32_splat (i32.add (local.get $xk) (i32.mul (local.get $qx) (i32.const 3)))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $quarter)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $quarter)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $quarter)))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $at (i32.add (local.get $y) (local.get $j)))
          (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at))
            (f32x4.add
              (f32x4.add (f32x4.mul (local.get $w0) (v128.load (i32.add (local.get $r0) (local.get $j))))
                         (f32x4.mul (local.get $w1) (v128.load (i32.add (local.get $r1) (local.get $j)))))
              (f32x4.add (f32x4.mul (local.get $w2) (v128.load (i32.add (local.get $r2) (local.get $j))))
                         (f32x4.mul (local.get $w3) (v128.load (i32.add (local.get $r3) (local.get $j))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $cols (i32.lt_u (local.get $j) (local.get $rowBytes))))
        (local.set $r0 (i32.add (local.get $r0) (local.get $rowBytes)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $quads)))
    (local.set $k (i32.shl (local.get $Q) (i32.const 2)))
    (local.set $r0 (i32.add (local.get $W) (i32.mul (local.get $k) (local.get $rowBytes))))
    ;; the last K mod 4 rows, one at a time
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $w0 (v128.load32_splat (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $j (i32.const 0))
        (loop $cols1
          (local.set $at (i32.add (local.get $y) (local.get $j)))
          (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at))
            (f32x4.mul (local.get $w0) (v128.load (i32.add (local.get $r0) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $cols1 (i32.lt_u (local.get $j) (local.get $rowBytes))))
        (local.set $r0 (i32.add (local.get $r0) (local.get $rowBytes)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $rows))))

;; The bench's read-bandwidth probe (lib/bench/bandwidth.ts): sums `bytes` (a multiple of 64) from
;; $at, four f32x4 lanes at a time, the way gemv and the slab kernels stream their inputs. The sum is
;; returned only so the loads cannot be dropped.
  (func (export "read_sum") (param $at i32) (param $bytes i32) (result f32)
    (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.add (local.get $at) (local.get $bytes)))
    (loop $lines
      (local.set $a (f32x4.add (local.get $a) (v128.load (local.get $at))))
      (local.set $b (f32x4.add (local.get $b) (v128.load offset=16 (local.get $at))))
      (local.set $c (f32x4.add (local.get $c) (v128.load offset=32 (local.get $at))))
      (local.set $d (f32x4.add (local.get $d) (v128.load offset=48 (local.get $at))))
      (local.set $at (i32.add (local.get $at) (i32.const 64)))
      (br_if $lines (i32.lt_u (local.get $at) (local.get $end))))
    (local.set $a (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (f32x4.add (local.get $c) (local.get $d))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
      (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
)
