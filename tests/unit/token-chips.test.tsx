// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/react';
import { TokenChips } from '@/components/model/TokenChips';
import { loadTokenizer } from '@/lib/gpt/tokenizer';
import type { ViewToken } from '@/lib/hooks/useGeneration';

afterEach(cleanup);

const tokenizer = loadTokenizer(JSON.parse(readFileSync('data/tokenizer/austen-bpe-768.json', 'utf8')));
const view = (text: string): ViewToken[] =>
  tokenizer.encode(text).map((id, position) => ({
    id,
    text: tokenizer.decode([id]),
    label: tokenizer.tokenLabel(id),
    bytes: Array.from(tokenizer.tokenBytes(id)),
    prob: null,
    position,
  }));

describe('TokenChips', () => {
  it('draws an emoji once over its four byte chips, names their bytes, and explains byte-level BPE', () => {
    const { container } = render(<TokenChips tokens={view('Emma 😀 smiled')} label="Prompt tokens" />);
    const group = container.querySelector('[data-char-group="😀"]')!;
    expect(group.querySelector('.chip-group-char')!.textContent).toBe('😀');
    const tips = Array.from(group.querySelectorAll('.chip-tip'), (t) => t.textContent);
    expect(tips).toEqual([
      'id 240 · bytes F0 · prompt',
      'id 159 · bytes 9F · prompt',
      'id 152 · bytes 98 · prompt',
      'id 128 · bytes 80 · prompt',
    ]);
    expect(container.querySelectorAll('.chip')).toHaveLength(10); // every token is still one chip
    expect(container.querySelector('[data-byte-note]')!.textContent).toMatch(/byte-level BPE.*4 UTF-8 bytes/);
  });

  it('adds no groups and no note for plain English', () => {
    const { container } = render(<TokenChips tokens={view('It is a truth universally acknowledged')} label="Prompt tokens" />);
    expect(container.querySelector('[data-char-group]')).toBeNull();
    expect(container.querySelector('[data-byte-note]')).toBeNull();
  });
});
