// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

const DEFAULTS = { n: 3, word: 'a' };
function Counter() {
  const [state, update, reset] = useCellState(DEFAULTS, { name: 'counter', allowed: { n: (v) => typeof v === 'number' && v < 100 } });
  return (
    <LiveCell
      title="Counter"
      name="counter"
      onReset={reset}
      controls={
        <button type="button" onClick={() => update({ n: state.n + 1 })}>
          More
        </button>
      }
    >
      <p data-testid="out">
        {state.n}
        {state.word}
      </p>
    </LiveCell>
  );
}

const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
const settle = () =>
  act(async () => {
    await frame();
    await new Promise((r) => setTimeout(r, 300)); // the URL write waits 250 ms after the last change
  });

describe('LiveCell in a workshop', () => {
  it('a click on the output focuses the cell; a click on a control leaves focus on the control', () => {
    render(<Counter />);
    const cell = document.querySelector<HTMLElement>('[data-cell="counter"]')!;
    fireEvent.click(screen.getByTestId('out'));
    expect(document.activeElement).toBe(cell);
    const more = screen.getByRole('button', { name: 'More' });
    more.focus();
    fireEvent.click(more);
    expect(document.activeElement).toBe(more);
  });

  it('restores its state from the URL, writes changes back, and Reset clears them', async () => {
    window.history.replaceState(null, '', '/?counter.n=7&counter.word=Emma&counter.n2=1&other=1');
    render(<Counter />);
    await settle();
    expect(screen.getByTestId('out').textContent).toBe('7Emma');
    fireEvent.click(screen.getByRole('button', { name: 'More' }));
    await settle();
    expect(new URLSearchParams(window.location.search).get('counter.n')).toBe('8');
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    await settle();
    expect(screen.getByTestId('out').textContent).toBe('3a');
    expect(window.location.search).toBe('?other=1');
  });

  it('ignores a URL value that is not allowed', async () => {
    window.history.replaceState(null, '', '/?counter.n=500');
    render(<Counter />);
    await settle();
    expect(screen.getByTestId('out').textContent).toBe('3a');
  });
});
