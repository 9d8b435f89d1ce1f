import { describe, expect, it } from 'vitest';
import { cachedStepMacs, costTable, formatBytes, formatCount, kvCacheBytes, naiveStepMacs, sampleRows } from '@/lib/lessons/cost';

const gpt2 = { nLayer: 12, nEmbd: 768 };

describe('lesson 1 cost formula', () => {
  it('a naive and a cached step cost the same for the very first token', () => {
    expect(naiveStepMacs(gpt2, 1)).toBe(cachedStepMacs(gpt2, 1));
  });

  it('matches a hand count for a 1-layer, width-2 model at t = 3', () => {
    const s = { nLayer: 1, nEmbd: 2 };
    // 12·C²·t + 2·C·t² = 12·4·3 + 2·2·9 = 144 + 36
    expect(naiveStepMacs(s, 3)).toBe(180);
    // 12·C² + 2·C·t = 48 + 12
    expect(cachedStepMacs(s, 3)).toBe(60);
  });

  it('naive total grows quadratically (or faster), cached total about linearly', () => {
    const a = costTable(gpt2, 512).at(-1)!;
    const b = costTable(gpt2, 1024).at(-1)!;
    expect(b.naiveTotal / a.naiveTotal).toBeGreaterThan(4);
    expect(b.cachedTotal / a.cachedTotal).toBeLessThan(2.5);
  });

  it('running totals are the sums of the steps', () => {
    const rows = costTable(gpt2, 10);
    expect(rows).toHaveLength(10);
    expect(rows.at(-1)!.naiveTotal).toBe(rows.reduce((s, r) => s + r.naive, 0));
    expect(rows.at(-1)!.cachedTotal).toBe(rows.reduce((s, r) => s + r.cached, 0));
  });

  it('the cache of GPT-2 small at 1024 tokens in fp32 is 72 MiB, as the lesson says', () => {
    expect(kvCacheBytes(gpt2, 1024)).toBe(75_497_472);
    expect(formatBytes(75_497_472)).toBe('72.0 MiB');
  });
});

describe('helpers', () => {
  it('sampleRows keeps the first and last rows and at most `count`', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const picked = sampleRows(rows, 9);
    expect(picked).toHaveLength(9);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBe(999);
    expect(sampleRows([1, 2], 9)).toEqual([1, 2]);
  });

  it('formatCount uses SI prefixes with three significant digits', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234567)).toBe('1.23 M');
    expect(formatCount(5.5e12)).toBe('5.50 T');
  });
});
