/**
 * An independent GPT-2 forward pass in plain TypeScript, float64, no tfjs — written straight from the
 * math with explicit loops, so tests can check the tfjs model against it. Slow; for tiny models only.
 */
import { type GPTConfig, headSize, kvDim, LAYER_NORM_EPS } from '@/lib/gpt/config';

/** Parameters by GPT-2 name, flat row-major (linear weights [in, out]). */
export type RefWeights = Record<string, ArrayLike<number>>;

type Vec = Float64Array;

/** y = x · W + b for one row: x [nIn], W [nIn, nOut], b [nOut]. */
function linearRow(x: Vec, W: ArrayLike<number>, b: ArrayLike<number>, nOut: number): Vec {
  const y = Float64Array.from(b);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    for (let j = 0; j < nOut; j++) y[j] += xi * W[i * nOut + j];
  }
  return y;
}

function layerNormRow(x: Vec, g: ArrayLike<number>, b: ArrayLike<number>): Vec {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  variance /= x.length;
  const inv = 1 / Math.sqrt(variance + LAYER_NORM_EPS);
  return x.map((v, i) => (v - mean) * inv * g[i] + b[i]);
}

const geluScalar = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Which key positions s the query at position t attends to: causal by default; a cache policy narrows it. */
export type Visible = (t: number, s: number) => boolean;

/** Causal attention of layer `l` over the rows xs [T][C] (already normed); returns [T][C] before c_proj. */
function attention(xs: Vec[], w: RefWeights, l: number, c: GPTConfig, visible: Visible): Vec[] {
  const C = c.nEmbd;
  const hs = headSize(c);
  const kvd = kvDim(c);
  const group = c.nHead / c.nKvHead;
  const qkv = xs.map((x) => linearRow(x, w[`h.${l}.attn.c_attn.weight`], w[`h.${l}.attn.c_attn.bias`], C + 2 * kvd));
  const out = xs.map(() => new Float64Array(C));
  for (let h = 0; h < c.nHead; h++) {
    const kvh = Math.floor(h / group); // GQA: query head h reads key/value head floor(h / group)
    const qOff = h * hs;
    const kOff = C + kvh * hs;
    const vOff = C + kvd + kvh * hs;
    for (let t = 0; t < xs.length; t++) {
      const scores: number[] = [];
      for (let s = 0; s <= t; s++) {
        if (!visible(t, s)) {
          scores.push(-Infinity);
          continue;
        }
        let dot = 0;
        for (let d = 0; d < hs; d++) dot += qkv[t][qOff + d] * qkv[s][kOff + d];
        scores.push(dot / Math.sqrt(hs));
      }
      const max = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - max));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let s = 0; s <= t; s++) {
        for (let d = 0; d < hs; d++) out[t][qOff + d] += (e[s] / sum) * qkv[s][vOff + d];
      }
    }
  }
  return out;
}

/** Logits [T][vocabSize] for the token ids, every position; `visible` limits what each position attends to. */
export function referenceForward(c: GPTConfig, w: RefWeights, ids: readonly number[], visible: Visible = (t, s) => s <= t): Float64Array[] {
  const C = c.nEmbd;
  let xs: Vec[] = ids.map((id, t) => {
    const x = new Float64Array(C);
    for (let i = 0; i < C; i++) x[i] = w['wte.weight'][id * C + i] + w['wpe.weight'][t * C + i];
    return x;
  });
  for (let l = 0; l < c.nLayer; l++) {
    const p = `h.${l}`;
    const att = attention(
      xs.map((x) => layerNormRow(x, w[`${p}.ln_1.weight`], w[`${p}.ln_1.bias`])),
      w,
      l,
      c,
      visible,
    );
    xs = xs.map((x, t) => {
      const a = linearRow(att[t], w[`${p}.attn.c_proj.weight`], w[`${p}.attn.c_proj.bias`], C);
      return x.map((v, i) => v + a[i]);
    });
    xs = xs.map((x) => {
      const h = linearRow(
        layerNormRow(x, w[`${p}.ln_2.weight`], w[`${p}.ln_2.bias`]),
        w[`${p}.mlp.c_fc.weight`],
        w[`${p}.mlp.c_fc.bias`],
        4 * C,
      );
      const m = linearRow(h.map(geluScalar), w[`${p}.mlp.c_proj.weight`], w[`${p}.mlp.c_proj.bias`], C);
      return x.map((v, i) => v + m[i]);
    });
  }
  return xs.map((x) => {
    const xf = layerNormRow(x, w['ln_f.weight'], w['ln_f.bias']);
    const logits = new Float64Array(c.vocabSize);
    for (let v = 0; v < c.vocabSize; v++) {
      let dot = 0;
      for (let i = 0; i < C; i++) dot += xf[i] * w['wte.weight'][v * C + i]; // tied head: wte^T
      logits[v] = dot;
    }
    return logits;
  });
}
