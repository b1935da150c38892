import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/workspace.js';
import { linkVerdict } from './link-target.js';

/** A destination holding sub/ (with a file and a link to the root) and the given links. */
function tree(links: Record<string, string> = {}): string {
  const root = join(tempDir('moat-link-target-'), 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'sub/file'), 'x');
  symlinkSync('..', join(root, 'sub/root'));
  for (const [path, target] of Object.entries(links)) symlinkSync(target, join(root, path));
  return root;
}

describe('linkVerdict', () => {
  it('follows targets component by component, from the link’s directory', () => {
    const root = tree();
    expect(linkVerdict(root, 'a', 'sub/file')).toBe('inside');
    expect(linkVerdict(root, 'sub/a', '../sub/./file')).toBe('inside');
    expect(linkVerdict(root, 'a', '.')).toBe('inside');
    expect(linkVerdict(root, 'a', '..')).toBe('outside');
    expect(linkVerdict(root, 'sub/a', '../..')).toBe('outside');
    expect(linkVerdict(root, 'a', '/etc')).toBe('outside');
  });

  it('takes ".." after a link from where the link led, not from the text', () => {
    const root = tree();
    expect(linkVerdict(root, 'a', 'sub/root/sub/file')).toBe('inside');
    expect(linkVerdict(root, 'a', 'sub/root/..')).toBe('outside');
    expect(linkVerdict(root, 'a', 'sub/root/sub/root/..')).toBe('outside');
  });

  it('follows chains of links, and their absolute targets lead outside', () => {
    const root = tree({ hop1: 'hop2', hop2: 'sub/root', abs: '/tmp' });
    expect(linkVerdict(root, 'a', 'hop1/sub')).toBe('inside');
    expect(linkVerdict(root, 'a', 'hop1/..')).toBe('outside');
    expect(linkVerdict(root, 'a', 'abs/x')).toBe('outside');
  });

  it('goes on by the text past what does not exist, or is no directory', () => {
    const root = tree();
    expect(linkVerdict(root, 'a', 'missing/sub/root/..')).toBe('inside');
    expect(linkVerdict(root, 'a', 'missing/../..')).toBe('outside');
    expect(linkVerdict(root, 'a', 'sub/file/../../..')).toBe('outside');
  });

  it('calls a loop a loop, quickly', () => {
    const root = tree({ a: 'b/x', b: 'a/y', self: 'self' });
    const started = Date.now();
    expect(linkVerdict(root, 'c', 'a')).toBe('loop');
    expect(linkVerdict(root, 'c', 'self/z')).toBe('loop');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
