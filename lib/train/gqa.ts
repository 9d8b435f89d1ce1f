import { type GPTConfig, headSize } from '../gpt/config';

/**
 * Converts a multi-head checkpoint to grouped-query attention the way Ainslie et al. (2023) do:
 * each new key/value head is the mean of the nHead/nKvHead original heads in its group. Queries,
 * and every other tensor, are copied unchanged. Returns the new config and parameter arrays.
 */
export function meanPoolKvHeads(
  from: GPTConfig,
  params: Map<string, Float32Array>,
  nKvHead: number,
): { config: GPTConfig; params: Map<string, Float32Array> } {
  if (from.nKvHead !== from.nHead) throw new Error('mean-pooling starts from a multi-head model');
  if (from.nHead % nKvHead !== 0) throw new Error(`nKvHead ${nKvHead} must divide nHead ${from.nHead}`);
  const config: GPTConfig = { ...from, nKvHead };
  const C = from.nEmbd;
  const hs = headSize(from);
  const g = from.nHead / nKvHead;
  const oldW = C + 2 * C; // q, k, v for nHead heads each
  const newW = C + 2 * nKvHead * hs;

  // One row of c_attn (a [.., C + 2·nh·hs] weight's row, or the bias): q copied, k and v pooled.
  const poolRow = (src: Float32Array, so: number, dst: Float32Array, d0: number) => {
    dst.set(src.subarray(so, so + C), d0);
    for (const part of [0, 1]) {
      const srcBase = so + C + part * C; // start of k (part 0) or v (part 1) in the old row
      const dstBase = d0 + C + part * nKvHead * hs;
      for (let j = 0; j < nKvHead; j++) {
        for (let d = 0; d < hs; d++) {
          let sum = 0;
          for (let h = j * g; h < (j + 1) * g; h++) sum += src[srcBase + h * hs + d];
          dst[dstBase + j * hs + d] = sum / g;
        }
      }
    }
  };

  const out = new Map(params);
  for (let i = 0; i < from.nLayer; i++) {
    const wName = `h.${i}.attn.c_attn.weight`;
    const w = params.get(wName)!;
    const nw = new Float32Array(C * newW);
    for (let r = 0; r < C; r++) poolRow(w, r * oldW, nw, r * newW);
    out.set(wName, nw);
    const bName = `h.${i}.attn.c_attn.bias`;
    const nb = new Float32Array(newW);
    poolRow(params.get(bName)!, 0, nb, 0);
    out.set(bName, nb);
  }
  return { config, params: out };
}
