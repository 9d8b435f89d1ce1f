// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { LiveCell, useCellState } from '@/components/notebook/LiveCell';

afterEach(cleanup);

function Counter() {
  const [state, update, reset] = useCellState({ n: 3, label: 'a' });
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
        {state.label}
      </p>
    </LiveCell>
  );
}

describe('LiveCell', () => {
  it('shows title, controls and output, and Reset restores the defaults', () => {
    render(<Counter />);
    expect(screen.getByRole('heading', { name: 'Counter' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'More' }));
    fireEvent.click(screen.getByRole('button', { name: 'More' }));
    expect(screen.getByTestId('out').textContent).toBe('5a');
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(screen.getByTestId('out').textContent).toBe('3a');
  });

  it('labels the cell region by its title and carries data-cell', () => {
    const { container } = render(<Counter />);
    const region = screen.getByRole('region', { name: 'Counter' });
    expect(region.getAttribute('data-cell')).toBe('counter');
    expect(container.querySelector('[role="group"]')?.getAttribute('aria-label')).toBe('Counter: controls');
  });

  it('a report-only cell (no controls, no onReset) has no Reset button and no controls group', () => {
    const { container } = render(
      <LiveCell name="report" title="Report">
        <p>measured</p>
      </LiveCell>,
    );
    expect(screen.getByRole('region', { name: 'Report' }).getAttribute('data-cell')).toBe('report');
    expect(screen.queryByRole('button', { name: 'Reset' })).toBeNull();
    expect(container.querySelector('[role="group"]')).toBeNull();
    expect(screen.getByText('measured')).toBeTruthy();
  });
});
