import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '@/lib/gpt/tokenizer';
import { codePointCount, groupTokens, hexBytes, utf8Length } from '@/lib/lessons/token-groups';

const tokenizer = loadTokenizer(JSON.parse(readFileSync('data/tokenizer/austen-bpe-768.json', 'utf8')));
const bytesOf = (text: string) => tokenizer.encode(text).map((id) => tokenizer.tokenBytes(id));

describe('groupTokens: runs of byte tokens that spell whole characters', () => {
  it('keeps every token of plain English a run of one', () => {
    const tokens = bytesOf('It is a truth universally acknowledged');
    const groups = groupTokens(tokens);
    expect(groups).toHaveLength(tokens.length);
    expect(groups.every((g) => g.count === 1)).toBe(true);
    expect(groups.map((g) => g.text).join('')).toBe('It is a truth universally acknowledged');
  });

  it('draws a 4-byte emoji once across the byte tokens it spans', () => {
    const tokens = bytesOf('Emma 😀 smiled');
    const groups = groupTokens(tokens);
    const emoji = groups.find((g) => g.text.includes('😀'))!;
    expect(emoji.count).toBe(4); // this vocabulary has no merge inside the emoji's bytes F0 9F 98 80
    expect(emoji.text).toBe('😀');
    // Runs cover every token in order, and together spell the text back.
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(tokens.length);
    groups.forEach((g, i) => i > 0 && expect(g.start).toBe(groups[i - 1].start + groups[i - 1].count));
    expect(groups.map((g) => g.text).join('')).toBe('Emma 😀 smiled');
  });

  it('splits CJK and accented text into one run per character', () => {
    const groups = groupTokens(bytesOf('日本語 café'));
    expect(groups.map((g) => g.text)).toEqual(expect.arrayContaining(['日', '本', '語', '\u00e9']));
    expect(groups.filter((g) => g.count > 1).map((g) => g.text)).toEqual(['日', '本', '語', '\u00e9']);
  });

  it('joins a token that ends in the first byte of a character with the tokens that finish it', () => {
    // " " + F0 in one token, then 9F 98 80: one run of two that reads " 😀".
    const groups = groupTokens([[0x20, 0xf0], [0x9f, 0x98, 0x80], [0x21]]);
    expect(groups).toEqual([
      { start: 0, count: 2, text: ' 😀' },
      { start: 2, count: 1, text: '!' },
    ]);
  });

  it('closes an unfinished character at the end of the sequence instead of dropping it', () => {
    const groups = groupTokens([[0x61], [0xf0, 0x9f]]);
    expect(groups).toEqual([
      { start: 0, count: 1, text: 'a' },
      { start: 1, count: 1, text: '\ufffd' },
    ]);
  });

  it('returns no runs for no tokens', () => {
    expect(groupTokens([])).toEqual([]);
  });
});

describe('byte helpers', () => {
  it('reads the length of a UTF-8 sequence from its lead byte', () => {
    expect([0x41, 0xc3, 0xe6, 0xf0, 0x9f].map(utf8Length)).toEqual([1, 2, 3, 4, 1]);
  });
  it('writes bytes as upper-case hex pairs', () => {
    expect(hexBytes([0xf0, 0x9f, 0x98, 0x80])).toBe('F0 9F 98 80');
    expect(hexBytes(new Uint8Array([0x0a]))).toBe('0A');
  });
  it('counts an emoji as one code point where String.length counts two', () => {
    expect('Emma 😀'.length).toBe(7);
    expect(codePointCount('Emma 😀')).toBe(6);
    expect(codePointCount('')).toBe(0);
  });
});
