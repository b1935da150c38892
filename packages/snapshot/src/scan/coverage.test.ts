import { describe, expect, it } from 'vitest';
import { Coverage, parseGitignore } from './coverage.js';
import { type CoverageCase, coverageCases } from './test-support/coverage-cases.js';

const ROOT = '/ws';

function coverageFor(testCase: CoverageCase): Coverage {
  const coverage = new Coverage(
    ROOT,
    { ignoreGitignore: false, additional: [], ...testCase.options },
    testCase.infoExclude,
  );
  // Parents before children, as a walk adds them.
  const dirs = Object.keys(testCase.gitignores ?? {}).sort((a, b) => a.length - b.length);
  for (const dir of dirs) coverage.addGitignore(dir, testCase.gitignores?.[dir] ?? '');
  return coverage;
}

describe('Coverage', () => {
  it.each(coverageCases)('$name', (testCase) => {
    const coverage = coverageFor(testCase);
    for (const path of testCase.excluded ?? []) expect([path, coverage.excludes(path)]).toEqual([path, true]);
    for (const path of testCase.covered ?? []) expect([path, coverage.excludes(path)]).toEqual([path, false]);
  });

  it('answers a walk per directory: rulesFor and addGitignore give the entry-level rules', () => {
    const coverage = new Coverage(ROOT, { ignoreGitignore: false, additional: [] });
    const rootRules = coverage.addGitignore('', '*.log\n');
    expect(rootRules.excludes('a.log')).toBe(true);
    expect(coverage.rulesFor('src/')).toBe(rootRules);
    const srcRules = coverage.addGitignore('src/', '!keep.log\n');
    expect(srcRules.excludes('src/keep.log')).toBe(false);
    expect(srcRules.excludes('src/a.log')).toBe(true);
    expect(coverage.rulesFor('src/deep/')).toBe(srcRules);
    expect(coverage.rulesFor('other/')).toBe(rootRules);
  });

  it('adding a directory again replaces its patterns', () => {
    const coverage = new Coverage(ROOT, { ignoreGitignore: false, additional: [] });
    coverage.addGitignore('sub/', 'a\n');
    coverage.addGitignore('sub/', 'b\n');
    expect(coverage.excludes('sub/a')).toBe(false);
    expect(coverage.excludes('sub/b')).toBe(true);
  });

  it('reports no rules at all when nothing can exclude anything but the root .git', () => {
    const coverage = new Coverage(ROOT, { ignoreGitignore: true, additional: ['# only a comment'] });
    expect(coverage.readsGitignoreFiles).toBe(false);
    expect(coverage.addGitignore('', '*\n').excludes('x')).toBe(false);
    expect(coverage.excludes('.git')).toBe(true);
  });
});

describe('parseGitignore', () => {
  it.each([
    ['!a/', [{ negative: true, body: 'a', directoryOnly: true }]],
    ['a\\ \\ ', [{ negative: false, body: 'a\\ \\ ', directoryOnly: false }]],
    ['a \\', [{ negative: false, body: 'a \\', directoryOnly: false }]],
    ['a\\\\  ', [{ negative: false, body: 'a\\\\', directoryOnly: false }]],
    ['  lead', [{ negative: false, body: '  lead', directoryOnly: false }]],
    ['a\r\r\n', [{ negative: false, body: 'a\r', directoryOnly: false }]],
    ['\uFEFF#c\n\\#h', [{ negative: false, body: '\\#h', directoryOnly: false }]],
  ])('%j', (text, expected) => {
    expect(parseGitignore(text)).toEqual(expected);
  });
});
