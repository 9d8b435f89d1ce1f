import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadModelDir } from '../lib/gpt/node-io';
import { runRace } from '../lib/lessons/measure';
import { raceRows, summarizeRace } from '../lib/lessons/race';
import { forward } from '../lib/gpt/forward';
import { median } from '../lib/stats';

await tf.setBackend('wasm'); await tf.ready();
const { model, tokenizer } = await loadModelDir('public/models/austen');
const ids = tokenizer.encode('It is a truth universally acknowledged');
const tokens = Number(process.argv[2] ?? 128);
const res = await runRace(model, tokenizer, ids, { tokens, repeats: 1, seed: 1, warmup: true, between: () => new Promise((r) => setImmediate(r)) });
const rows = raceRows(res.runs); const s = summarizeRace(res.runs);
console.log('prompt', ids.length, 'decode medians naive', s.naiveMedianMs.toFixed(2), 'cached', s.cachedMedianMs.toFixed(2), 'ratio', s.medianSpeedup.toFixed(2), 'outliers', s.outliers.join(','));
for (const t of [2, 16, 32, 48, 64, 96, 128, 192, 249].filter((t) => t <= rows.length)) {
  const r = rows[t - 1];
  console.log(`token ${t} pos ${ids.length + t - 1}: naive ${r.naiveMs.toFixed(2)} cached ${r.cachedMs.toFixed(2)} ratio ${(r.naiveMs / r.cachedMs).toFixed(2)}`);
}
// bench-style naive at the same positions, median of 5 after 2 warm-ups
for (const P of [ids.length + 31, ids.length + 127, ids.length + Math.min(tokens, 249) - 1]) {
  const x = Array.from({ length: P }, (_, i) => (i * 2654435761) % 768);
  const ms: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const idx = tf.tensor2d(x, [1, P], 'int32');
    const out = forward(model, idx, null, { logits: 'last' });
    await out.logits.data();
    tf.dispose([idx, out.logits]);
    if (i >= 2) ms.push(performance.now() - t0);
  }
  console.log(`bench-style naive at ${P}: ${median(ms).toFixed(2)} (all ${ms.map((m) => m.toFixed(1)).join(' ')})`);
}
