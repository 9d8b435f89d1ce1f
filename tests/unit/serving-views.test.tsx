// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { BlockPoolView, BlockTables } from '@/components/cells/BlockPoolView';
import { PolicyTokens } from '@/components/cells/PolicyTokens';
import { RealScaleCell } from '@/components/cells/RealScaleCell';
import type { ServerView, SessionView } from '@/lib/lessons/serving-sim';

afterEach(cleanup);

const session = (id: number, blocks: number[], length: number, done = false): SessionView => ({
  id,
  prompt: 'p',
  text: ' and so',
  promptTokens: length - 1,
  generated: 2,
  maxNewTokens: 5,
  length,
  blocks,
  shared: 0,
  done,
  ttftMs: 1,
  ids: [1, 2],
});

describe('serving views (plain props)', () => {
  it('the pool shows every block with who holds it, a shared block with its reference count, free ones as free', () => {
    const view: ServerView = {
      blockSize: 16,
      numBlocks: 4,
      owners: [[-1, 1, 2], [1], [], []],
      filled: [16, 5, 0, 0],
      used: 2,
      free: 2,
      shared: 1,
      emptySlots: 11,
      sessions: [session(1, [0, 1], 21), session(2, [0], 16)],
      copies: 0,
    };
    const { container } = render(<BlockPoolView view={view} />);
    const blocks = container.querySelectorAll('.pool-block');
    expect(blocks).toHaveLength(4);
    expect(blocks[0].getAttribute('data-refs')).toBe('3');
    expect(blocks[0].textContent).toContain('×3');
    expect(screen.getByText(/Block 0: shared prefix, session 1, session 2; 16 of 16 positions; 3 references/)).toBeTruthy();
    expect(screen.getByText('Block 2: free.')).toBeTruthy();
  });

  it('block tables list each running session’s blocks and its waste under both allocators', () => {
    const { container } = render(
      <BlockTables sessions={[session(1, [0, 3], 21), session(2, [1], 16, true)]} blockSize={16} reserve={256} />,
    );
    const rows = container.querySelectorAll('tbody tr');
    expect(rows[0].querySelector('[data-table]')!.getAttribute('data-table')).toBe('0,3');
    // positions, table, paged empty slots (2·16 − 21), contiguous unused (256 − 21)
    expect([...rows[0].querySelectorAll('td')].slice(0, 4).map((td) => td.textContent)).toEqual(['21', '[0, 3]', '11', '235']);
    expect(rows[1].textContent).toContain('given back');
  });

  it('policy tokens: kept ones carry their attention, evicted ones the step that evicted them', () => {
    render(
      <PolicyTokens
        positions={[
          { position: 0, label: 'It', state: 'evicted', evictedAt: 3, attention: null },
          { position: 1, label: ' is', state: 'kept', evictedAt: null, attention: 0.25 },
          { position: 2, label: ' a', state: 'next', evictedAt: null, attention: null },
        ]}
      />,
    );
    expect(screen.getByText('s3')).toBeTruthy();
    expect(screen.getByText(/position 0, evicted after step 3/)).toBeTruthy();
    expect(screen.getByText(/position 1, kept, attention 25%/)).toBeTruthy();
  });

  it('the real-scale cell prints its arithmetic and says when the weights do not fit', () => {
    const { container } = render(<RealScaleCell />);
    expect(container.querySelector('[data-contiguous-sessions]')!.getAttribute('data-contiguous-sessions')).toBe('27');
    expect(container.querySelector('[data-paged-sessions]')!.getAttribute('data-paged-sessions')).toBe('111');
    expect(container.querySelector('[data-lines]')!.textContent).toContain('⌈1,000 / 16⌉ = 63 blocks');
    const select = screen.getByLabelText('Weights (70.6 B parameters)') as HTMLSelectElement;
    select.value = 'bf16';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect(screen.getByRole('alert').textContent).toMatch(/weights alone do not fit/);
  });
});
