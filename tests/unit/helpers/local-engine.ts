/**
 * The model thread's engine inside the test process: hooks talk to it through the same client and
 * messages as in the browser, and tf.memory() counts its tensors in this process.
 */
import type { GPT, Tokenizer } from '@/lib/gpt';
import { createEngine, type Engine } from '@/lib/worker/engine';
import { createClient, localTransport, setClient, type ModelHandle } from '@/lib/worker/client';

let engine: Engine | null = null;
let count = 0;

/** Register an in-memory model with the in-process engine and return the handle the hooks take. */
export function localModel(model: GPT, tokenizer: Tokenizer): ModelHandle {
  if (!engine) {
    engine = createEngine(() => undefined);
    setClient(createClient(localTransport(engine)));
  }
  const key = `test-model-${++count}`;
  engine.register(key, model, tokenizer);
  return { key, config: model.config };
}

/** How many generators the engine holds open right now. */
export async function openGenerators(): Promise<number> {
  if (!engine) return 0;
  return (await engine.methods.memory()).generators;
}
