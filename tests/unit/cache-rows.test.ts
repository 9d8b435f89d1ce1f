import { describe, expect, it } from 'vitest';
import { cacheBytesFormula, diffRows, rowsOf } from '@/lib/lessons/cache-rows';

describe('cache-rows helpers', () => {
  it('lays the heads of one position side by side in one row', () => {
    const block = [
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]; // [nKvHead = 2][T = 2][hs = 2]
    expect(rowsOf(block)).toEqual([
      [1, 2, 5, 6],
      [3, 4, 7, 8],
    ]);
    expect(rowsOf([])).toEqual([]);
  });

  it('sees one appended row and unchanged old rows, and reports a changed old row', () => {
    expect(
      diffRows(
        [[1, 2]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toEqual({ appended: 1, maxOldRowChange: 0 });
    expect(
      diffRows(
        [[1, 2]],
        [
          [1, 2.5],
          [3, 4],
        ],
      ),
    ).toEqual({ appended: 1, maxOldRowChange: 0.5 });
    expect(diffRows([[1, 2]], [[1], [3]]).maxOldRowChange).toBe(Infinity);
  });

  it('gives the cache size of the lab models: 4 KiB per position multi-head, 1 KiB multi-query', () => {
    const mha = { nLayer: 4, nHead: 4, nKvHead: 4, nEmbd: 128 };
    expect(cacheBytesFormula(mha, 1)).toBe(4096);
    expect(cacheBytesFormula({ ...mha, nKvHead: 1 }, 10)).toBe(10240);
  });
});
