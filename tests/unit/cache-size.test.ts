import { describe, expect, it } from 'vitest';
import {
  bytesPerToken,
  cacheSize,
  CacheSizeError,
  findPreset,
  formatBinary,
  formatDecimal,
  plainCacheElements,
  PRESETS,
  replacedBytesPerToken,
  sizeCurve,
} from '@/lib/lessons/cache-size';
import { claimedBytesPerToken, llama8bCheck, seventyBCheck } from '@/lib/lessons/cache-myths';
import { cacheBytesFormula } from '@/lib/lessons/cache-rows';

const preset = (id: string) => {
  const p = findPreset(id);
  if (!p) throw new Error(id);
  return p;
};

describe('cache-size formula against hand-computed figures', () => {
  it('Llama 3.1 8B, fp16: 2·32·8·128·2 = 131,072 bytes per token, 16 GiB at 131,072 tokens', () => {
    const r = cacheSize({ layout: preset('llama-3.1-8b').layout, dtype: 'fp16', context: 131072 });
    expect(r.bytesPerToken).toBe(131_072);
    expect(r.totalBytes).toBe(17_179_869_184);
    expect(formatBinary(r.totalBytes)).toBe('16.0 GiB');
    expect(r.formula).toBe(
      '2 · 32 layers · 8 KV heads · 128 head size · 2 bytes = 131,072 bytes per token; × 131,072 ' +
        'tokens × 1 sequence = 17,179,869,184 bytes',
    );
  });

  it('each preset gives its hand-computed bytes per token at its own dtype', () => {
    const expected: Record<string, number> = {
      gpt2: 2 * 12 * 12 * 64 * 4, // 73,728
      'llama-2-7b': 2 * 32 * 32 * 128 * 2, // 524,288
      'llama-3.1-8b': 2 * 32 * 8 * 128 * 2, // 131,072
      'llama-3.1-70b': 2 * 80 * 8 * 128 * 2, // 327,680
      'mistral-7b': 2 * 32 * 8 * 128 * 2,
      'falcon-7b': 2 * 32 * 1 * 64 * 2, // 8,192
      'qwen2.5-7b': 2 * 28 * 4 * 128 * 2, // 57,344
      'deepseek-v3': 61 * (512 + 64) * 2, // 70,272
      austen: 2 * 4 * 4 * 32 * 4, // 4,096
    };
    expect(PRESETS.map((p) => p.id).sort()).toEqual(Object.keys(expected).sort());
    for (const p of PRESETS) expect(bytesPerToken(p.layout, p.dtype), p.id).toBe(expected[p.id]);
    expect(PRESETS.every((p) => p.source.url.length > 0 && p.source.label.length > 0)).toBe(true);
  });

  it('dtype scales bytes: fp32 = 2× fp16 = 4× fp8 = 8× int4', () => {
    const l = preset('mistral-7b').layout;
    expect(bytesPerToken(l, 'fp32')).toBe(2 * bytesPerToken(l, 'fp16'));
    expect(bytesPerToken(l, 'fp16')).toBe(2 * bytesPerToken(l, 'fp8'));
    expect(bytesPerToken(l, 'fp8')).toBe(2 * bytesPerToken(l, 'int4'));
    expect(bytesPerToken(l, 'int4')).toBe(2 * 32 * 8 * 128 * 0.5); // 32,768
  });

  it('batch multiplies the sequence; the GPU fraction left is 1 − cache / memory', () => {
    const r = cacheSize({ layout: preset('llama-3.1-70b').layout, dtype: 'fp16', context: 4096, batch: 8, gpuBytes: 80e9 });
    expect(r.bytesPerSequence).toBe(327_680 * 4096);
    expect(r.totalBytes).toBe(327_680 * 4096 * 8);
    expect(r.gpuFractionLeft).toBeCloseTo(1 - (327_680 * 4096 * 8) / 80e9, 12);
    const over = cacheSize({ layout: preset('llama-2-7b').layout, dtype: 'fp16', context: 4096, batch: 64, gpuBytes: 80e9 });
    expect(over.gpuFractionLeft).toBeLessThan(0); // 128 GiB of cache cannot fit in 80 GB
  });

  it('DeepSeek-V3 MLA caches 71× less than the 128-head K and V it replaces', () => {
    const p = preset('deepseek-v3');
    expect(replacedBytesPerToken(p)).toBe(61 * 128 * (192 + 128) * 2); // 4,997,120
    expect(replacedBytesPerToken(p)! / bytesPerToken(p.layout, 'bf16')).toBeCloseTo(71.11, 2);
    expect(replacedBytesPerToken(preset('llama-3.1-8b'))).toBeNull();
  });

  it("the austen preset agrees with the cache lesson's formula and with a plain cache read of T rows", () => {
    const a = preset('austen');
    expect(bytesPerToken(a.layout, 'fp32') * 7).toBe(cacheBytesFormula({ nLayer: 4, nHead: 4, nKvHead: 4, nEmbd: 128 }, 7));
    // 2 layers, 2 heads, T = 3, hs = 5 → 2 · 2 · 2 · 3 · 5 numbers
    const block = () => Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => [0, 1, 2, 3, 4]));
    expect(
      plainCacheElements([
        { k: block(), v: block() },
        { k: block(), v: block() },
      ]),
    ).toBe(120);
  });

  it('the curve runs from 0 to the context, linear in it', () => {
    const c = sizeCurve(preset('austen').layout, 'fp32', 256, 1, 4);
    expect(c).toEqual([0, 64, 128, 192, 256].map((t) => ({ context: t, bytes: 4096 * t })));
  });

  it('nonsense values throw a CacheSizeError that names the value', () => {
    const l = preset('austen').layout;
    expect(() => cacheSize({ layout: l, dtype: 'fp16', context: 0 })).toThrow(/context must be an integer ≥ 1, got 0/);
    expect(() => cacheSize({ layout: l, dtype: 'fp16', context: 10, batch: 1.5 })).toThrow(CacheSizeError);
    expect(() => cacheSize({ layout: { kind: 'kv', nLayer: 4, nKvHead: -1, headSize: 32 }, dtype: 'fp16', context: 10 })).toThrow(
      /key\/value heads/,
    );
    expect(() => cacheSize({ layout: l, dtype: 'fp12' as 'fp16', context: 10 })).toThrow(/unknown dtype "fp12"/);
    expect(() => cacheSize({ layout: l, dtype: 'fp16', context: 10, gpuBytes: 0 })).toThrow(/GPU memory/);
    expect(() => bytesPerToken({ kind: 'mla', nLayer: 2, latent: 0, rope: 0 }, 'fp16')).toThrow(/latent size/);
  });

  it('formats bytes in binary and decimal units', () => {
    expect(formatBinary(1000)).toBe('1,000 bytes');
    expect(formatBinary(131072)).toBe('128 KiB');
    expect(formatDecimal(819_200_000)).toBe('819 MB');
    expect(formatDecimal(2.1e9)).toBe('2.10 GB');
  });
});

describe('myth vs measured arithmetic', () => {
  it('Llama 3.1 8B with 32 KV heads is 0.5 MiB/token and 64 GiB at 128K; with its 8 heads 4× less', () => {
    const { wrong, right, ratio } = llama8bCheck();
    expect(wrong.bytesPerToken).toBe(512 * 1024);
    expect(formatBinary(wrong.totalBytes)).toBe('64.0 GiB');
    expect(formatBinary(right.totalBytes)).toBe('16.0 GiB');
    expect(ratio).toBe(4);
  });

  it('no common 70B configuration gives 2.1 GB for 2,500 tokens', () => {
    const rows = seventyBCheck();
    expect(rows.map((r) => r.totalBytes)).toEqual([819_200_000, 1_638_400_000, 409_600_000, 6_553_600_000, 13_107_200_000]);
    expect(claimedBytesPerToken()).toBe(840_000);
    for (const r of rows) expect(Math.abs(r.totalBytes - 2.1e9) / 2.1e9).toBeGreaterThan(0.2);
  });
});
