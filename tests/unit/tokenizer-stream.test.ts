import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpeTokenizer, ByteTokenizer, loadTokenizer, type Tokenizer, wtf8Encode } from '@/lib/gpt/tokenizer';
import { completeLength, createTextStream } from '@/lib/gpt/tokenizer-stream';
import { createRng } from '@/lib/gpt/random';

const bytes = new ByteTokenizer();
const shipped = loadTokenizer(JSON.parse(readFileSync('public/models/austen/tokenizer.json', 'utf8')));
// Merges that cut characters: 😀 (F0 9F 98 80) becomes two 2-byte tokens, and " 傲" (20 E5 82 B2) a token
// " \xE5" that ends one byte into the character.
const halves = new BpeTokenizer(
  [
    [0xf0, 0x9f],
    [0x98, 0x80],
    [0x20, 0xe5],
  ],
  '[\\s\\S]+',
);

/** Pushes every id and returns what each push printed, then what flush printed. */
function stream(t: Tokenizer, ids: number[]): { chunks: string[]; tail: string } {
  const s = createTextStream(t);
  return { chunks: ids.map((id) => s.push(id)), tail: s.flush() };
}

describe('streaming token text', () => {
  it('prints an emoji split into four byte tokens once, whole, on its last byte', () => {
    const ids = bytes.encode('a😀');
    expect(ids).toHaveLength(5);
    expect(stream(bytes, ids)).toEqual({ chunks: ['a', '', '', '', '😀'], tail: '' });
  });

  it('prints a CJK character split inside a BPE token that also holds a space', () => {
    const ids = halves.encode(' 傲');
    expect(ids).toEqual([258, 0x82, 0xb2]);
    expect(stream(halves, ids)).toEqual({ chunks: [' ', '', '傲'], tail: '' });
    expect(stream(halves, halves.encode('😀!'))).toEqual({ chunks: ['', '😀', '!'], tail: '' });
  });

  it('decoding token by token would have printed U+FFFD for the same ids', () => {
    expect(
      halves
        .encode('😀')
        .map((id) => halves.decode([id]))
        .join(''),
    ).toContain('\uFFFD');
  });

  it('flushes a character cut off at the end as U+FFFD, as decode does', () => {
    const ids = [0xf0, 0x9f];
    expect(stream(bytes, ids)).toEqual({ chunks: ['', ''], tail: bytes.decode(ids) });
    expect(bytes.decode(ids)).toBe('\uFFFD');
  });

  it('does not hold bytes that can never complete a character', () => {
    expect(stream(bytes, [0x80]).chunks).toEqual(['\uFFFD']); // a stray continuation byte
    expect(stream(bytes, [0xe0, 0x80]).chunks).toEqual(['', '\uFFFD\uFFFD']); // E0 needs A0..BF next
    expect(stream(bytes, [0xff]).chunks).toEqual(['\uFFFD']);
  });

  it('knows where a character boundary is', () => {
    expect(completeLength(wtf8Encode('ab'))).toBe(2);
    expect(completeLength(wtf8Encode('a😀').slice(0, 4))).toBe(1);
    expect(completeLength(wtf8Encode('é').slice(0, 1))).toBe(0);
    expect(completeLength(new Uint8Array([0x80, 0x80, 0x80, 0x80]))).toBe(4);
  });

  it('joined, prints exactly decode(ids) for random text, and no U+FFFD for well-formed text', () => {
    const alphabet = ['a', ' ', '\n', 'é', '£', '傲', '慢', '😀', '👩‍👩‍👧', 'Emma', '\uD800', '\uDC00'];
    const rng = createRng(11);
    for (let trial = 0; trial < 200; trial++) {
      let text = '';
      for (let k = 1 + Math.floor(rng.next() * 12); k > 0; k--) text += alphabet[Math.floor(rng.next() * alphabet.length)];
      const wellFormed = text.isWellFormed();
      for (const t of [bytes, halves, shipped]) {
        const ids = t.encode(text);
        const { chunks, tail } = stream(t, ids);
        expect(chunks.join('') + tail).toBe(t.decode(ids));
        if (wellFormed) expect(chunks.join('') + tail, JSON.stringify(text)).not.toContain('\uFFFD');
      }
    }
  });
});
