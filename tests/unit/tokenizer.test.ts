import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countPieces, trainBpe } from '@/lib/train/bpe-train';
import { AUSTEN_NOVELS, loadAusten, splitChapters, toParagraphs, VALIDATION_RULE } from '@/lib/train/corpus';
import {
  BpeTokenizer,
  ByteTokenizer,
  GPT2_PATTERN,
  loadTokenizer,
  preTokenize,
  TokenizerError,
  wtf8Decode,
  wtf8Encode,
  type Tokenizer,
} from '@/lib/gpt/tokenizer';

const AUSTEN =
  'It is a truth universally acknowledged, that a single man in possession of a good fortune, ' +
  'must be in want of a wife.\n\n"My dear Mr. Bennet," said his lady to him one day, "have you heard that ' +
  'Netherfield Park is let at last?"--Mr. Bennet replied that he had not. It cost £20,000.';

const ALL_ASCII_CONTROLS = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join('') + '\u007f';

const FIXED_CASES: Record<string, string> = {
  empty: '',
  ascii: 'Hello, world! 123 $%^&*() ~`|\\',
  austen: AUSTEN,
  accented: 'Élise à la café — naïve façade, Ærø, Łódź, señor',
  cjk: '傲慢与偏见 高慢と偏見 오만과 편견',
  emoji: '😀 👍🏽 👩‍👩‍👧‍👦 🏳️‍🌈 🇬🇧🇯🇵',
  combining: 'e\u0301 a\u0308\u0323 Z\u0351\u0358\u035c\u0360',
  controls: ALL_ASCII_CONTROLS,
  nul: '\u0000',
  nulInText: 'a\u0000b\u0000',
  loneHigh: '\ud83d',
  loneLow: '\ude00',
  lonesMixed: 'x\udc00\ud800y\ud83d😀\ude00z\ud800',
  reversedPair: '\ude00\ud83d',
  spaces: '   leading  and   trailing   \n\n\t ',
};

/** A small seeded PRNG (mulberry32) so the random cases are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomStrings(): string[] {
  const next = rng(1813);
  const out: string[] = [];
  for (let n = 0; n < 200; n++) {
    const len = Math.floor(next() * 40);
    let units = '';
    for (let i = 0; i < len; i++) units += String.fromCharCode(Math.floor(next() * 0x10000));
    out.push(units);
    let points = '';
    for (let i = 0; i < len; i++) points += String.fromCodePoint(Math.floor(next() * 0x110000));
    out.push(points);
  }
  return out;
}
const RANDOM = randomStrings();
const ALL_CASES = [...Object.values(FIXED_CASES), ...RANDOM];

const shipped = BpeTokenizer.fromJSON(JSON.parse(readFileSync('data/tokenizer/austen-bpe-768.json', 'utf8')));
const tiny = trainBpe(AUSTEN + ' ' + FIXED_CASES.accented + FIXED_CASES.emoji, { vocabSize: 300 });
const tokenizers: [string, Tokenizer][] = [
  ['ByteTokenizer', new ByteTokenizer()],
  ['tiny BPE', tiny],
  ['shipped BPE', shipped],
];

describe('WTF-8 layer', () => {
  it('writes well-formed text exactly as UTF-8 (same bytes as TextEncoder)', () => {
    for (const s of [AUSTEN, FIXED_CASES.cjk, FIXED_CASES.emoji, FIXED_CASES.controls]) {
      expect(wtf8Encode(s)).toEqual(new TextEncoder().encode(s));
    }
  });

  it('writes a lone surrogate as its 3-byte generalized UTF-8 form and reads it back', () => {
    expect(Array.from(wtf8Encode('\ud800'))).toEqual([0xed, 0xa0, 0x80]);
    expect(Array.from(wtf8Encode('\udfff'))).toEqual([0xed, 0xbf, 0xbf]);
    expect(wtf8Decode([0xed, 0xa0, 0x80])).toBe('\ud800');
  });

  it('decodes bytes that are not UTF-8 to U+FFFD instead of throwing', () => {
    expect(wtf8Decode([0xe2, 0x82])).toBe('\ufffd');
    expect(wtf8Decode([0xff, 0x41])).toBe('\ufffdA');
    expect(wtf8Decode([0xc3])).toBe('\ufffd');
  });

  it.each(ALL_CASES.map((s, i) => [i, s]))('round-trips string #%i through bytes', (_, s) => {
    expect(wtf8Decode(wtf8Encode(s))).toBe(s);
  });
});

describe.each(tokenizers)('%s', (_, tok) => {
  it.each(Object.entries(FIXED_CASES))('round-trips the %s case exactly', (_, s) => {
    const ids = tok.encode(s);
    expect(tok.decode(ids)).toBe(s);
  });

  it(`round-trips ${RANDOM.length} seeded random strings of code units and code points, ids in [0, vocabSize)`, () => {
    for (const s of RANDOM) {
      const ids = tok.encode(s);
      for (const id of ids) expect(Number.isInteger(id) && id >= 0 && id < tok.vocabSize).toBe(true);
      expect(tok.decode(ids)).toBe(s);
    }
  });

  it('concatenates token bytes to the encoded bytes', () => {
    const ids = tok.encode(FIXED_CASES.lonesMixed + AUSTEN);
    const bytes = ids.flatMap((id) => Array.from(tok.tokenBytes(id)));
    expect(bytes).toEqual(Array.from(wtf8Encode(FIXED_CASES.lonesMixed + AUSTEN)));
  });

  it('labels tokens printably: newline as ↵, partial characters as U+FFFD', () => {
    expect(tok.tokenLabel(10)).toBe('↵');
    expect(tok.tokenLabel(0xe2)).toBe('\ufffd');
    expect(tok.tokenLabel(32)).toBe(' ');
    expect(() => tok.tokenBytes(tok.vocabSize)).toThrow(RangeError);
  });
});

describe('BpeTokenizer', () => {
  it('pre-tokenises without dropping a character, for every test string', () => {
    const re = new RegExp(GPT2_PATTERN, 'gu');
    for (const s of ALL_CASES) expect(preTokenize(s, re).join('')).toBe(s);
    expect(preTokenize(' Mr. Bennet, 1813', re)).toEqual([' Mr', '.', ' Bennet', ',', ' 1813']);
  });

  it('keeps unmatched text as pieces even with a pattern that skips characters', () => {
    expect(preTokenize('ab, cd', /\p{L}+/gu)).toEqual(['ab', ', ', 'cd']);
  });

  it('never merges across a word boundary: no token has a space after its first byte', () => {
    const text = loadAusten().val.slice(0, 50_000);
    for (const id of shipped.encode(text)) expect(shipped.tokenLabel(id).slice(1)).not.toContain(' ');
  });

  it('compresses Austen validation text to about 2.6 characters per token (ratio > 2.4)', () => {
    const text = loadAusten().val.slice(0, 100_000);
    const ids = shipped.encode(text);
    const ratio = text.length / ids.length;
    expect(ids.length).toBeLessThan(wtf8Encode(text).length);
    expect(ratio).toBeGreaterThan(2.4);
    expect(ratio).toBeLessThan(3.5);
  });

  it('trains deterministically and learns the most frequent pair first', () => {
    const a = trainBpe(AUSTEN, { vocabSize: 290 });
    const b = trainBpe(AUSTEN, { vocabSize: 290 });
    expect(a.merges).toEqual(b.merges);
    expect(a.vocabSize).toBe(290);
    expect(trainBpe('aa aa aa bb', { vocabSize: 257 }).merges).toEqual([[97, 97]]);
    expect(countPieces('the cat the')).toEqual(
      new Map([
        ['the', 1],
        [' cat', 1],
        [' the', 1],
      ]),
    );
  });

  it('applies merges by rank, so encoding follows the learned order', () => {
    const tok = new BpeTokenizer([
      [98, 99],
      [97, 98],
    ]); // "bc" first, then "ab"
    expect(tok.encode('abc')).toEqual([97, 256]);
  });

  it('survives a JSON round trip unchanged', () => {
    const again = BpeTokenizer.fromJSON(JSON.parse(JSON.stringify(shipped.toJSON())));
    expect(again.encode(AUSTEN)).toEqual(shipped.encode(AUSTEN));
    expect(shipped.vocabSize).toBe(768);
  });

  const good = () => JSON.parse(JSON.stringify(tiny.toJSON()));
  it.each([
    ['not an object', () => 'hello', /expected an object/],
    ['wrong type', () => ({ ...good(), type: 'wordpiece' }), /"type" must be "byte-bpe"/],
    ['wrong version', () => ({ ...good(), version: 2 }), /"version" must be 1/],
    ['bad regex', () => ({ ...good(), pattern: '(' }), /"pattern" is not a valid regex/],
    ['merges not an array', () => ({ ...good(), merges: 'x' }), /"merges" must be an array/],
    ['a merge that is not a pair', () => ({ ...good(), merges: [[1, 2, 3]], vocabSize: 257 }), /merges\[0\] must be a pair/],
    ['a merge using a later token', () => ({ ...good(), merges: [[256, 1]], vocabSize: 257 }), /merges\[0\].*not yet defined/],
    [
      'a repeated merge',
      () => ({
        ...good(),
        merges: [
          [1, 2],
          [1, 2],
        ],
        vocabSize: 258,
      }),
      /merges\[1\].*repeats/,
    ],
    ['wrong vocabSize', () => ({ ...good(), vocabSize: 999 }), /"vocabSize" is 999/],
  ])('rejects malformed JSON (%s) with a message naming the problem', (_, make, message) => {
    expect(() => BpeTokenizer.fromJSON(make())).toThrow(message);
  });
});

describe('loadTokenizer', () => {
  it('dispatches on type', () => {
    expect(loadTokenizer({ type: 'byte', version: 1, vocabSize: 256 })).toBeInstanceOf(ByteTokenizer);
    expect(loadTokenizer(shipped.toJSON())).toBeInstanceOf(BpeTokenizer);
    expect(() => loadTokenizer({ type: 'sentencepiece' })).toThrow(/Unknown tokenizer type "sentencepiece"/);
    expect(() => loadTokenizer(null)).toThrow(/The tokenizer JSON is null, not an object/);
  });

  it('throws a TokenizerError for every malformed file, so the CLI exits 2 and the app says which file', () => {
    for (const bad of [
      null,
      [],
      { type: 'sentencepiece' },
      { type: 'byte', version: 2, vocabSize: 256 },
      { ...shipped.toJSON(), merges: [[9999, 1]] },
    ]) {
      expect(() => loadTokenizer(bad)).toThrow(TokenizerError);
    }
  });
});

describe('Austen corpus', () => {
  const corpus = loadAusten();

  it('unwraps hard-wrapped lines into one-line paragraphs', () => {
    expect(toParagraphs('Chapter 1\r\n\r\nIt is a truth\r\n  universally\nacknowledged.\n\n\n\nNext.')).toEqual([
      'Chapter 1',
      'It is a truth universally acknowledged.',
      'Next.',
    ]);
  });

  it('finds every chapter, counting Emma across its three volumes', () => {
    const counts = corpus.stats.novels.map((n) => n.chapters);
    expect(counts).toEqual([50, 61, 48, 55, 31, 24]);
    expect(corpus.stats.trainChapters + corpus.stats.valChapters).toBe(269);
  });

  it('sends exactly every 10th chapter of each novel to validation', () => {
    for (const n of corpus.stats.novels) {
      const expected = Array.from({ length: Math.floor(n.chapters / 10) }, (_, i) => (i + 1) * 10);
      expect(n.valChapterNumbers).toEqual(expected);
    }
    expect(VALIDATION_RULE.everyNthChapter).toBe(10);
  });

  it('is deterministic', () => {
    const again = loadAusten();
    expect(again.train).toBe(corpus.train);
    expect(again.val).toBe(corpus.val);
  });

  it('puts each chapter in exactly one split', () => {
    for (const { file } of AUSTEN_NOVELS) {
      const { chapters } = splitChapters(toParagraphs(readFileSync(`data/austen/${file}`, 'utf8')));
      chapters.forEach((chapter, i) => {
        const text = chapter.join('\n\n');
        const inVal = corpus.val.includes(text);
        const inTrain = corpus.train.includes(text);
        expect([file, i + 1, inVal, inTrain]).toEqual([file, i + 1, (i + 1) % 10 === 0, (i + 1) % 10 !== 0]);
      });
    }
  });

  it('keeps 8–15% of the characters for validation', () => {
    const { valFraction, valChars, trainChars } = corpus.stats;
    expect(valFraction).toBeGreaterThan(0.08);
    expect(valFraction).toBeLessThan(0.15);
    expect(valChars + trainChars).toBeGreaterThan(3_900_000);
  });

  it('keeps the one £ and the front matter in training', () => {
    expect(corpus.train.startsWith('SENSE AND SENSIBILITY\n\nby Jane Austen')).toBe(true);
    expect((corpus.train + corpus.val).split('£').length - 1).toBe(1);
  });
});
