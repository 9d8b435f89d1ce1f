import { describe, expect, it } from 'vitest';
import { firstDifference, maxAbs, maxAbsDifference, median, quantile } from '@/lib/stats';

describe('lib/stats: the one median, quantile, maxAbs and firstDifference', () => {
  it('median is the middle value, or the mean of the middle two — never the upper middle alone', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('quantile interpolates between order statistics', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('maxAbs ignores -Infinity (masked scores) and is 0 for nothing', () => {
    expect(
      maxAbs([
        [0, -3, 2],
        [-Infinity, 1],
      ]),
    ).toBe(3);
    expect(maxAbs([])).toBe(0);
  });

  it('maxAbsDifference compares entry by entry, and refuses different lengths', () => {
    expect(maxAbsDifference([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDifference([1], [1, 2])).toBe(Infinity);
  });

  it('firstDifference finds where two lists part; a shorter list differs where it ends', () => {
    expect(firstDifference([1, 2, 3], [1, 2, 4])).toBe(2);
    expect(firstDifference([1, 2], [1, 2, 3])).toBe(2);
    expect(firstDifference([1, 2], [1, 2])).toBe(-1);
  });
});
