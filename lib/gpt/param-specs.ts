/**
 * GPT-2's parameter names and shapes for a config, and their count: plain arithmetic with no tfjs, so
 * pages that only describe a model (the sizes table, the bench's size picker) do not load tfjs.
 */
import { type GPTConfig, kvDim, validateConfig } from './config';

/** One parameter's name and shape, in checkpoint order. */
export interface ParamSpec {
  name: string;
  shape: number[];
}

/** Every parameter the model expects, in GPT-2's order. The output head is tied to wte. */
export function paramSpecs(c: GPTConfig): ParamSpec[] {
  validateConfig(c);
  const C = c.nEmbd;
  const qkv = C + 2 * kvDim(c); // q: nHead·hs, k and v: nKvHead·hs each
  const specs: ParamSpec[] = [
    { name: 'wte.weight', shape: [c.vocabSize, C] },
    { name: 'wpe.weight', shape: [c.blockSize, C] },
  ];
  for (let i = 0; i < c.nLayer; i++) {
    const h = `h.${i}`;
    specs.push(
      { name: `${h}.ln_1.weight`, shape: [C] },
      { name: `${h}.ln_1.bias`, shape: [C] },
      { name: `${h}.attn.c_attn.weight`, shape: [C, qkv] },
      { name: `${h}.attn.c_attn.bias`, shape: [qkv] },
      { name: `${h}.attn.c_proj.weight`, shape: [C, C] },
      { name: `${h}.attn.c_proj.bias`, shape: [C] },
      { name: `${h}.ln_2.weight`, shape: [C] },
      { name: `${h}.ln_2.bias`, shape: [C] },
      { name: `${h}.mlp.c_fc.weight`, shape: [C, 4 * C] },
      { name: `${h}.mlp.c_fc.bias`, shape: [4 * C] },
      { name: `${h}.mlp.c_proj.weight`, shape: [4 * C, C] },
      { name: `${h}.mlp.c_proj.bias`, shape: [C] },
    );
  }
  specs.push({ name: 'ln_f.weight', shape: [C] }, { name: 'ln_f.bias', shape: [C] });
  return specs;
}

/** Total parameter count (the tied head is counted once, in wte). */
export function countParams(c: GPTConfig): number {
  return paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}
