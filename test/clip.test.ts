import { describe, expect, it } from 'vitest';
import { clip } from '../src/clip.js';

describe('clip', () => {
  it('keeps short text, cuts long text to the limit with its ellipsis', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcdef', 4, '…')).toBe('abc…');
  });

  it('never leaves half of a surrogate pair', () => {
    const cut = clip('ab😀cd', 3);
    expect(cut).toBe('ab');
    expect(() => encodeURIComponent(clip(`${'x'.repeat(298)}😀😀`, 300, '…'))).not.toThrow();
  });
});
