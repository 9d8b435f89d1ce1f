import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients'; // tfjs-core alone registers no gradients
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../../lib/gpt/loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('crossEntropy', () => {
  it('equals −mean log softmax at the targets, computed by hand', async () => {
    const logits = [
      [
        [1, 2, 3],
        [0, 0, 0],
      ],
      [
        [-1, 5, 2],
        [3, 1, -2],
      ],
    ];
    const targets = [
      [2, 0],
      [1, 2],
    ];
    let want = 0;
    logits.flat().forEach((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
      want += lse - row[targets.flat()[i]];
    });
    want /= 4;
    const loss = crossEntropy(tf.tensor3d(logits), tf.tensor2d(targets, [2, 2], 'int32'));
    expect(loss.shape).toEqual([]);
    expect((await loss.data())[0]).toBeCloseTo(want, 5);
  });

  it('has a gradient equal to (softmax − onehot) / N', async () => {
    const x = tf.tensor3d([
      [
        [1, 2, 3],
        [0.5, -1, 0],
      ],
    ]);
    const y = tf.tensor2d([[0, 2]], [1, 2], 'int32');
    const g = tf.grad((l: tf.Tensor) => crossEntropy(l as tf.Tensor3D, y))(x);
    const want = tf.div(tf.sub(tf.softmax(x), tf.reshape(tf.oneHot(tf.reshape(y, [2]) as tf.Tensor1D, 3), [1, 2, 3])), 2);
    const diff = Math.max(...(await tf.abs(tf.sub(g, want)).data()));
    expect(diff).toBeLessThan(1e-6);
  });
});

describe('textLoss', () => {
  it('averages crossEntropy over blockSize windows, per token and per character', async () => {
    const { tinyModel, bytes } = await import('./gpt-helpers');
    const { textLoss } = await import('../../lib/gpt/evaluate');
    const { forward } = await import('../../lib/gpt/forward');
    const model = tinyModel({ blockSize: 8 }, 3, 3);
    const text = 'Emma Woodhouse, handsome'; // 24 bytes: windows of 8, 8, 7 inputs
    const ids = bytes.encode(text);
    let want = 0;
    for (const [a, b] of [
      [0, 8],
      [8, 16],
      [16, 23],
    ]) {
      const x = tf.tensor2d(ids.slice(a, b), [1, b - a], 'int32');
      const y = tf.tensor2d(ids.slice(a + 1, b + 1), [1, b - a], 'int32');
      want += (await crossEntropy(forward(model, x, null).logits, y).data())[0] * (b - a);
    }
    const r = await textLoss(model, bytes, text);
    expect(r.tokens).toBe(23);
    expect(r.characters).toBe(23);
    expect(r.lossPerToken).toBeCloseTo(want / 23, 5);
    expect(r.lossPerChar).toBeCloseTo(want / 23, 5);
  });
});

describe('windowLoss, the one next-token loss over windows', () => {
  it("training's meanLoss and cachedLoss (full cache, prefill and decode) agree on the same windows", async () => {
    const { tinyModel, bytes } = await import('./gpt-helpers');
    const { cachedLoss } = await import('../../lib/gpt/evaluate');
    const { meanLoss } = await import('../../lib/train/evaluate');
    const model = tinyModel({ blockSize: 8 }, 3, 3);
    const tokens = Int32Array.from(bytes.encode('Emma Woodhouse, handsome, clever, and rich')); // 42 tokens: 5 windows of 8
    const trained = await meanLoss(model, tokens, { batchSize: 2 });
    expect(trained.tokens).toBe(40);
    for (const mode of ['prefill', 'decode'] as const) {
      const cached = await cachedLoss(model, tokens, { mode });
      expect(cached.tokens).toBe(40);
      expect(cached.lossPerToken).toBeCloseTo(trained.loss, 5);
    }
  });
});
