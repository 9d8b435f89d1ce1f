import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const kvlab = (...args: string[]) => spawnSync('node', ['bin/kvlab.js', 'size', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('kvlab size', () => {
  it('--json gives bytesPerToken and totalBytes from the formula (Llama 3.1 8B, fp16, 128K, batch 2)', () => {
    const r = kvlab('--model', 'llama-3.1-8b', '--dtype', 'fp16', '--context', '131072', '--batch', '2', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ model: 'llama-3.1-8b', dtype: 'fp16', context: 131072, batch: 2, bytesPerToken: 131072 });
    expect(out.totalBytes).toBe(2 * 131072 * 131072);
    expect(out.source).toMatch(/^https:\/\/huggingface\.co\/meta-llama\/Llama-3\.1-8B\//);
  });

  it('prints the formula with the numbers substituted, and MLA for deepseek-v3', () => {
    const r = kvlab('--model', 'deepseek-v3', '--context', '1000');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('61 layers · (512 latent + 64 rope) · 2 bytes = 70,272 bytes per token');
    expect(r.stdout).toContain('× 1,000 tokens = 70,272,000 bytes');
  });

  it('custom shapes and --gpu-gb work', () => {
    const r = kvlab(
      '--model',
      'custom',
      '--layers',
      '2',
      '--kv-heads',
      '2',
      '--head-size',
      '8',
      '--dtype',
      'int4',
      '--context',
      '10',
      '--gpu-gb',
      '1',
      '--json',
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bytesPerToken).toBe(2 * 2 * 2 * 8 * 0.5);
    expect(out.gpuFractionLeft).toBeCloseTo(1 - 320 / 1e9, 12);
  });

  it('--list prints every preset, one per line', () => {
    const r = kvlab('--list');
    expect(r.status).toBe(0);
    for (const id of [
      'gpt2',
      'llama-2-7b',
      'llama-3.1-8b',
      'llama-3.1-70b',
      'mistral-7b',
      'falcon-7b',
      'qwen2.5-7b',
      'deepseek-v3',
      'austen',
      'custom',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${id.replace('.', '\\.')}\\s`, 'm'));
    }
  });

  for (const [why, args, message] of [
    ['an unknown model', ['--model', 'gpt5'], /unknown model "gpt5"/],
    ['an unknown dtype', ['--model', 'austen', '--dtype', 'fp12'], /--dtype must be one of fp32, fp16, bf16, fp8, int8, int4, got "fp12"/],
    ['a zero context', ['--model', 'austen', '--context', '0'], /--context must be an integer ≥ 1, got "0"/],
    ['a fractional batch', ['--model', 'austen', '--batch', '1.5'], /--batch must be an integer ≥ 1/],
    ['a custom model without its shape', ['--model', 'custom', '--layers', '4'], /--model custom needs --kv-heads/],
    ['both shapes at once', ['--model', 'custom', '--latent', '4', '--head-size', '8'], /not both/],
    ['no model', [], /--model is required/],
  ] as const) {
    it(`exits 2 with one line for ${why}`, () => {
      const r = kvlab(...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
