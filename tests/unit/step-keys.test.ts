import { describe, expect, it } from 'vitest';
import { stepKeyAction } from '@/components/model/step-keys';

const on = (tagName: string, type?: string) => ({ tagName, type });

describe('stepKeyAction', () => {
  it('steps on → and Space and toggles play on P from plain elements of the cell', () => {
    expect(stepKeyAction({ key: 'ArrowRight', target: on('DIV') })).toBe('step');
    expect(stepKeyAction({ key: ' ', target: on('SECTION') })).toBe('step');
    expect(stepKeyAction({ key: 'p', target: on('DIV') })).toBe('togglePlay');
    expect(stepKeyAction({ key: 'P', target: on('BUTTON') })).toBe('togglePlay');
  });

  it('does nothing while the user types in a text field', () => {
    for (const target of [on('TEXTAREA'), on('INPUT', 'text'), on('SELECT'), { tagName: 'DIV', isContentEditable: true }]) {
      expect(stepKeyAction({ key: 'p', target })).toBeNull();
      expect(stepKeyAction({ key: ' ', target })).toBeNull();
      expect(stepKeyAction({ key: 'ArrowRight', target })).toBeNull();
    }
  });

  it('leaves Space to buttons and links (they press themselves) and → to sliders', () => {
    expect(stepKeyAction({ key: ' ', target: on('BUTTON') })).toBeNull();
    expect(stepKeyAction({ key: ' ', target: on('A') })).toBeNull();
    expect(stepKeyAction({ key: 'ArrowRight', target: on('INPUT', 'range') })).toBeNull();
    expect(stepKeyAction({ key: 'ArrowRight', target: on('BUTTON') })).toBe('step');
  });

  it('ignores shortcuts with modifiers and other keys', () => {
    expect(stepKeyAction({ key: 'p', ctrlKey: true, target: on('DIV') })).toBeNull();
    expect(stepKeyAction({ key: 'ArrowRight', altKey: true, target: on('DIV') })).toBeNull();
    expect(stepKeyAction({ key: 'ArrowLeft', target: on('DIV') })).toBeNull();
    expect(stepKeyAction({ key: 'x', target: null })).toBeNull();
  });
});
