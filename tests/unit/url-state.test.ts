import { describe, expect, it } from 'vitest';
import { readCellState, writeCellState } from '@/lib/lessons/url-state';

const D = { prompt: 'It is a truth', tokens: 32, modelName: 'austen', log: false, rate: 0.5 };

describe('cell state in the URL', () => {
  it('reads only this cell’s parameters, typed like the defaults', () => {
    expect(readCellState('?race.tokens=128&race.prompt=Emma%20Woodhouse&race.log=1&qkv.tokens=5', 'race', D)).toEqual({
      tokens: 128,
      prompt: 'Emma Woodhouse',
      log: true,
    });
  });

  it('ignores values that do not fit: not a number, not an integer, not allowed, unknown keys', () => {
    const allowed = { modelName: ['austen', 'austen-gqa'], tokens: (v: unknown) => typeof v === 'number' && v >= 1 && v <= 256 };
    expect(readCellState('?c.tokens=abc&c.modelName=gpt5&c.log=maybe&c.extra=1', 'c', D, allowed)).toEqual({});
    expect(readCellState('?c.tokens=1.5&c.rate=0.25', 'c', D, allowed)).toEqual({ rate: 0.25 });
    expect(readCellState('?c.tokens=999&c.modelName=austen-gqa', 'c', D, allowed)).toEqual({ modelName: 'austen-gqa' });
    expect(readCellState(`?c.prompt=${'a'.repeat(2001)}`, 'c', D)).toEqual({});
  });

  it('writes only what differs from the defaults and keeps other parameters; the defaults leave a clean URL', () => {
    const s = writeCellState('?backend=wasm&race.seed=3', 'race', { ...D, tokens: 128, prompt: 'Emma & Harriet' }, D);
    expect(new URLSearchParams(s).get('backend')).toBe('wasm');
    expect(new URLSearchParams(s).get('race.seed')).toBeNull();
    expect(readCellState(s, 'race', D)).toEqual({ tokens: 128, prompt: 'Emma & Harriet' });
    expect(writeCellState('?race.tokens=128', 'race', D, D)).toBe('');
  });

  it('round-trips every field', () => {
    const state = { prompt: 'x=y&z', tokens: 7, modelName: 'austen-gqa', log: true, rate: 0.125 };
    expect(readCellState(writeCellState('', 'c', state, D), 'c', D)).toEqual(state);
  });
});
