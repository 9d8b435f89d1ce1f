import { describe, expect, it } from 'vitest';
import { appendCurve, CURVE_HEADER } from '@/lib/train/curve';

describe('one training curve for a continued model', () => {
  it("counts the continuation's steps, tokens and seconds on from the first run's last row", () => {
    const first = `${CURVE_HEADER}\n1,0.001,6.6,,1.8,4096,11.0\n2,0.002,6.5,6.4,1.7,8192,20.9\n`;
    const next = `${CURVE_HEADER}\n1,0.0001,3.5,,0.6,4096,60.5\n2,0.0002,3.4,3.45,0.6,8192,120.0\n`;
    expect(appendCurve(first, next).trim().split('\n')).toEqual([
      CURVE_HEADER,
      '1,0.001,6.6,,1.8,4096,11.0',
      '2,0.002,6.5,6.4,1.7,8192,20.9',
      '3,0.0001,3.5,,0.6,12288,81.4',
      '4,0.0002,3.4,3.45,0.6,16384,140.9',
    ]);
  });

  it('refuses a file that is not a loss.csv', () => {
    expect(() => appendCurve('a,b\n1,2', `${CURVE_HEADER}\n`)).toThrow(/the first loss\.csv does not start with/);
  });
});
