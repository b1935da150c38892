import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { DirectoryRules } from './coverage.js';
import { NameFilter } from './name-filter.js';
import { mulberry32 } from './test-support/random.js';

describe('NameFilter', () => {
  it('passes the names an excluding pattern can match, and only directories for dir/ patterns', () => {
    const filter = new NameFilter(['node_modules/', '*.log', '!keep.txt', '.env.*', 'src/**/gen-*.ts']);
    expect(filter.mayExclude('node_modules', true)).toBe(true);
    expect(filter.mayExclude('node_modules', false)).toBe(false);
    expect(filter.mayExclude('a.log', false)).toBe(true);
    expect(filter.mayExclude('.env.local', true)).toBe(true);
    expect(filter.mayExclude('gen-.ts', false)).toBe(true);
    expect(filter.mayExclude('gen.ts', false)).toBe(false);
    expect(filter.mayExclude('keep.txt', false)).toBe(false);
    expect(filter.mayExclude('src', true)).toBe(false);
  });

  it('passes every name when a pattern ends in a wildcard it cannot read', () => {
    expect(new NameFilter(['a/**']).mayExclude('x', false)).toBe(true);
    expect(new NameFilter(['[ab]']).mayExclude('x', false)).toBe(true);
  });

  it('never changes what DirectoryRules answers (random patterns against the ignore package)', () => {
    const random = mulberry32(20261128);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const patternParts = [
      'a',
      'b',
      'ab',
      '.a',
      'a.b',
      '*',
      '?',
      '*a',
      'a*',
      'a?b',
      '[ab]',
      '[!a]b',
      '\\*',
      '\\a',
      '**',
      'a**',
      'a[/]b',
    ];
    const nameParts = ['a', 'b', 'ab', 'ba', '.a', 'a.b', 'aab', '*', 'a*', 'x'];
    const randomPattern = () => {
      const segments = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(patternParts));
      return `${random() < 0.2 ? '!' : ''}${random() < 0.2 ? '/' : ''}${segments.join('/')}${random() < 0.3 ? '/' : ''}`;
    };
    const randomPath = () => {
      const segments = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(nameParts));
      return `${segments.join('/')}${random() < 0.5 ? '/' : ''}`;
    };
    for (let round = 0; round < 300; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(random() * 5) }, randomPattern);
      const matcher = ignore({ ignorecase: false }).add(patterns);
      const rules = new DirectoryRules(matcher, new Set(), new NameFilter(patterns));
      for (let i = 0; i < 50; i++) {
        const path = randomPath();
        expect([patterns, path, rules.excludes(path)]).toEqual([patterns, path, matcher.ignores(path)]);
      }
    }
  });
});
