import * as tf from '@tensorflow/tfjs-core';
import type { AttentionTrace } from './attention';
import { forward, type GPT } from './forward';

/** One layer's attention internals as plain nested arrays (masked entries stay -Infinity). */
export interface PlainLayerTrace {
  q: number[][][]; // [nh][T][hs]
  k: number[][][]; // [nKvHead][Tk][hs]
  v: number[][][]; // [nKvHead][Tk][hs]
  scores: number[][][]; // [nh][T][Tk]
  scaled: number[][][]; // [nh][T][Tk]
  masked: number[][][]; // [nh][T][Tk]
  weights: number[][][]; // [nh][T][Tk] each row sums to 1
}

export type PlainTrace = PlainLayerTrace[];

const FIELDS = ['q', 'k', 'v', 'scores', 'scaled', 'masked', 'weights'] as const;

/** Reads a trace into plain arrays (awaited, WebGPU-safe) and disposes its tensors, even on failure. */
export async function readTrace(trace: AttentionTrace[]): Promise<PlainTrace> {
  try {
    return await Promise.all(
      trace.map(async (layer) => {
        const out = {} as PlainLayerTrace;
        for (const f of FIELDS) out[f] = (await layer[f].array()) as number[][][];
        return out;
      }),
    );
  } finally {
    for (const layer of trace) for (const f of FIELDS) layer[f].dispose();
  }
}

/** The attention of a plain (uncached) pass over `ids`: what a prefill attention map shows. */
export async function traceForward(model: GPT, ids: readonly number[]): Promise<PlainTrace> {
  const idx = tf.tensor2d([...ids], [1, ids.length], 'int32');
  try {
    const out = forward(model, idx, null, { logits: 'last', trace: true });
    out.logits.dispose();
    return await readTrace(out.trace ?? []);
  } finally {
    idx.dispose();
  }
}
