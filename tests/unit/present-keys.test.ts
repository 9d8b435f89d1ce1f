import { describe, expect, it } from 'vitest';
import { presentKeyAction, presentStart } from '@/components/notebook/present-keys';

const on = (tagName: string, type?: string) => ({ tagName, type });

describe('presenter keys', () => {
  it('PageDown and PageUp move from anywhere, even a text field (remotes send them)', () => {
    expect(presentKeyAction({ key: 'PageDown', target: on('TEXTAREA') })).toBe('next');
    expect(presentKeyAction({ key: 'PageUp', target: on('BUTTON') })).toBe('previous');
  });
  it('→ and Space move from the page and the cell, but not while typing, on a slider, or on a button', () => {
    expect(presentKeyAction({ key: 'ArrowRight', target: on('BODY') })).toBe('next');
    expect(presentKeyAction({ key: ' ', target: on('SECTION') })).toBe('next');
    expect(presentKeyAction({ key: 'ArrowLeft', target: on('DIV') })).toBe('previous');
    expect(presentKeyAction({ key: ' ', target: on('BUTTON') })).toBeNull();
    expect(presentKeyAction({ key: 'ArrowRight', target: on('INPUT', 'range') })).toBeNull();
    expect(presentKeyAction({ key: ' ', target: on('INPUT', 'text') })).toBeNull();
  });
  it('leaves a key a cell already used (a stepping cell steps on →) and modified keys alone', () => {
    expect(presentKeyAction({ key: 'ArrowRight', target: on('SECTION'), defaultPrevented: true })).toBeNull();
    expect(presentKeyAction({ key: 'ArrowRight', target: on('BODY'), altKey: true })).toBeNull();
  });
  it('Escape exits', () => {
    expect(presentKeyAction({ key: 'Escape', target: on('BODY') })).toBe('exit');
  });
  it('reads ?present as the first cell and ?present=N as the Nth, clamped', () => {
    expect(presentStart('', 5)).toBeNull();
    expect(presentStart('?present', 5)).toBe(0);
    expect(presentStart('?backend=wasm&present=3', 5)).toBe(2);
    expect(presentStart('?present=99', 5)).toBe(4);
    expect(presentStart('?present=-2', 5)).toBe(0);
  });
});
