import { describe, expect, it } from 'vitest';
import { realWordRate, repeatedNgramRate, vocabulary, words } from '@/lib/lessons/text-quality';

describe('text quality measures for choosing decoding settings', () => {
  it('splits words on letters, keeping inner apostrophes and folding case', () => {
    expect(words('"My dear Emma," she said -- don\'t!')).toEqual(['my', 'dear', 'emma', 'she', 'said', "don't"]);
  });

  it('counts the share of words that occur in the training text', () => {
    const known = vocabulary('It is a truth universally acknowledged, that a single man');
    expect(realWordRate('a single cannottense man', known)).toBe(3 / 4);
    expect(realWordRate('A TRUTH', known)).toBe(1);
    expect(realWordRate('...', known)).toBeNaN();
  });

  it('scores a greedy loop high and fresh text zero for repeated 4-grams', () => {
    // 9 words, 6 four-grams: "of the course of", "the course of the", "course of the course" then the
    // first three again.
    expect(repeatedNgramRate('of the course of the course of the course')).toBeCloseTo(3 / 6, 12);
    expect(repeatedNgramRate('It is a truth universally acknowledged that a single man')).toBe(0);
    expect(repeatedNgramRate('too short')).toBe(0);
  });
});
