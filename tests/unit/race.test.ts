import { describe, expect, it } from 'vitest';
import {
  csvField,
  cumulative,
  interpretRace,
  checkRaceInput,
  outlierTokens,
  medianPerStep,
  raceCsv,
  raceRows,
  speedup,
  summarizeRace,
  tokenOptions,
  toCsv,
} from '@/lib/lessons/race';
import { firstDifference, median } from '@/lib/stats';

const run = (ms: number[], ids = ms.map((_, i) => i)) => ({ ms, ids });

describe('race arithmetic', () => {
  it('median of odd and even lists, without reordering the input', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('cumulative sums', () => {
    expect(cumulative([1, 2, 3.5])).toEqual([1, 3, 6.5]);
    expect(cumulative([])).toEqual([]);
  });

  it('speedup is a ratio and NaN over zero', () => {
    expect(speedup(10, 4)).toBe(2.5);
    expect(speedup(10, 0)).toBeNaN();
  });

  it('median per step takes each step across repeats and keeps only steps every repeat reached', () => {
    expect(medianPerStep([run([1, 10, 7]), run([3, 20]), run([2, 30, 9])])).toEqual([2, 20]);
  });

  it('rows carry per-step medians, running totals and both speedups', () => {
    const rows = raceRows({ naive: [run([4, 8]), run([6, 12])], cached: [run([5, 2]), run([5, 2])] });
    expect(rows).toEqual([
      { token: 1, naiveMs: 5, cachedMs: 5, naiveTotal: 5, cachedTotal: 5, stepSpeedup: 1, totalSpeedup: 1 },
      { token: 2, naiveMs: 10, cachedMs: 2, naiveTotal: 15, cachedTotal: 7, stepSpeedup: 5, totalSpeedup: 15 / 7 },
    ]);
  });

  it('the summary flags matching tokens, and the first step where a run chose differently', () => {
    const same = summarizeRace({ naive: [run([4, 8], [7, 9])], cached: [run([4, 2], [7, 9])] });
    expect(same.tokensMatch).toBe(true);
    expect(same.firstMismatch).toBe(-1);
    expect(same.naiveTtftMs).toBe(4); // step 1 on its own
    expect(same.cachedTtftMs).toBe(4);
    expect(same.medianSpeedup).toBeCloseTo(8 / 2); // decode steps only: token 2
    const differ = summarizeRace({ naive: [run([4, 8], [7, 9])], cached: [run([4, 2], [7, 1])] });
    expect(differ.tokensMatch).toBe(false);
    expect(differ.firstMismatch).toBe(1);
    expect(summarizeRace({ naive: [], cached: [] }).tokensMatch).toBe(false);
  });

  it('firstDifference treats a shorter list as differing where it ends', () => {
    expect(firstDifference([1, 2], [1, 2])).toBe(-1);
    expect(firstDifference([1, 2], [1])).toBe(1);
  });

  it('token options are capped by the room left after the prompt', () => {
    expect(tokenOptions(256, 10)).toEqual([32, 64, 128, 256].filter((n) => n <= 247));
    expect(tokenOptions(256, 1)).toEqual([32, 64, 128, 256]);
    expect(tokenOptions(16, 10)).toEqual([7]);
  });

  it("a timing model's context of 1,024 offers 512 and 1,024 where they fit, and caps a request at its room", () => {
    expect(tokenOptions(1024, 1)).toEqual([32, 64, 128, 256, 512, 1024]);
    expect(tokenOptions(1024, 8)).toEqual([32, 64, 128, 256, 512]);
    expect(checkRaceInput(1024, 8, 4096)).toMatchObject({
      ok: true,
      tokens: 1017,
      capped: expect.stringContaining('a 1024-token context'),
    });
    expect(checkRaceInput(1024, 8, 4)).toMatchObject({ ok: true, tokens: 4, capped: null });
  });

  it('bad race input never runs: empty, over the context, or under 2 tokens of room', () => {
    expect(checkRaceInput(256, 0, 32)).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(checkRaceInput(256, 1300, 32)).toMatchObject({ ok: false, message: expect.stringMatching(/1300 tokens.*at most 256/) });
    expect(checkRaceInput(256, 256, 32)).toMatchObject({ ok: false, message: expect.stringMatching(/room for 1 new token.*at least 2/) });
    expect(checkRaceInput(256, 255, 32)).toEqual({
      ok: true,
      tokens: 2,
      options: [2],
      capped: expect.stringMatching(/32 tokens asked for, but only 2 fit/),
    });
  });

  it('256 is offered only where it fits, and a capped request says how many and why', () => {
    expect(checkRaceInput(256, 1, 256)).toEqual({ ok: true, tokens: 256, options: [32, 64, 128, 256], capped: null });
    const capped = checkRaceInput(256, 10, 256);
    expect(capped).toEqual({
      ok: true,
      tokens: 247,
      options: [32, 64, 128],
      capped: expect.stringContaining('only 247 fit after this 10-token prompt'),
    });
  });

  it('marks a step far slower than its neighbours as an outlier, in either generator, never the prefill', () => {
    const naive = [50, 10, 11, 12, 40, 14, 15, 16];
    const cached = [50, 5, 5, 5, 5, 5, 20, 5];
    const s = summarizeRace({ naive: [run(naive)], cached: [run(cached)] });
    expect(s.outliers).toEqual([5, 7]);
    expect(outlierTokens(raceRows({ naive: [run([1, 2, 3, 4, 5, 6])], cached: [run([1, 1, 1, 1, 1, 1])] }))).toEqual([]);
  });
});

describe('race CSV', () => {
  it('quotes fields with commas, quotes and line breaks, and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(NaN)).toBe('');
    expect(toCsv(['x', 'y'], [[1, 'a,b']])).toBe('x,y\r\n1,"a,b"\r\n');
  });

  it('writes one line per run per step with raw milliseconds', () => {
    const csv = raceCsv(
      { naive: [run([1.23456, 2], [5, 6])], cached: [run([1, 0.5], [5, 6])] },
      { backend: 'wasm', model: 'austen', prompt: 'It is, "a truth"', seed: 3 },
    );
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('backend,model,prompt,seed,generator,repeat,step,phase,ms,token_id');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe('wasm,austen,"It is, ""a truth""",3,naive,1,1,prefill,1.235,5');
    expect(lines[4]).toBe('wasm,austen,"It is, ""a truth""",3,cached,1,2,decode,0.5,6');
  });
});

describe('race interpretation', () => {
  it('says so plainly when the cached step was the slower one', () => {
    const runs = { naive: [run([4, 4, 4, 4, 4])], cached: [run([4, 8, 8, 8, 8])] };
    const lines = interpretRace(raceRows(runs), summarizeRace(runs), 'webgpu');
    expect(lines[0]).toContain('the cached step was the slower one (0.5×)');
    expect(lines.join(' ')).toMatch(/bookkeeping can outweigh/);
  });

  it('names the measured numbers, and says when per-op overhead dominates', () => {
    const runs = { naive: [run([10, 10, 10, 10, 11, 11])], cached: [run([10, 9, 9, 9, 9, 9])] };
    const lines = interpretRace(raceRows(runs), summarizeRace(runs), 'webgpu');
    expect(lines[0]).toContain('took 10.0 ms naive and 10.0 ms cached'); // TTFT: step 1
    expect(lines[0]).toContain('a median 9.00 ms per token and a naive step 10.0 ms'); // decode steps 2–6: [10,10,10,11,11]
    expect(lines[0]).toContain('1.1× faster'); // 10 / 9
    expect(lines.join(' ')).toMatch(/overhead/);
  });

  it('says the naive step grew when it did', () => {
    const runs = { naive: [run([2, 4, 6, 8, 10, 12])], cached: [run([2, 1, 1, 1, 1, 1])] };
    const lines = interpretRace(raceRows(runs), summarizeRace(runs), 'wasm');
    expect(lines.join(' ')).toMatch(/grew from 4\.00 ms at token 2 to 12\.0 ms at token 6/);
  });
});
