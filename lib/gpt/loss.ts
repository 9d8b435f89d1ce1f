import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean next-token cross-entropy, in nats: −mean over B·T of log softmax(logits)[target].
 *
 * logits [B, T, V] (float32), targets [B, T] (int32) → scalar. Picks the target's log-probability
 * with a one-hot product rather than gather: gather has no gradient on every backend (wasm), while
 * oneHot · logSoftmax is differentiable everywhere. Call it inside tf.tidy / tf.variableGrads; the
 * returned scalar belongs to the caller. Gradients need `@tensorflow/tfjs-core/dist/register_all_gradients`
 * imported once by the training entry point (tfjs-core alone registers none).
 */
export function crossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    if (targets.shape[0] !== B || targets.shape[1] !== T) {
      throw new RangeError(`targets shape [${targets.shape}] does not match logits [${B}, ${T}, ·]`);
    }
    const flat = tf.reshape(logits, [B * T, V]) as tf.Tensor2D; // [B·T, V]
    const logp = tf.logSoftmax(flat); // [B·T, V]
    const onehot = tf.oneHot(tf.reshape(targets, [B * T]) as tf.Tensor1D, V); // [B·T, V]
    const picked = tf.sum(tf.mul(logp, onehot), -1); // [B·T] log p(target)
    return tf.neg(tf.mean(picked)) as tf.Scalar; // []
  });
}
