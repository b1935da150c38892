import { isAbsolute, relative, resolve, sep } from 'node:path';
import ignore from 'ignore';
import { NameFilter } from './name-filter.js';
import type { CoverageOptions } from './types.js';

/*
 * Which workspace entries a snapshot covers, decided from text alone (no disk access here).
 *
 * Paths are workspace-relative and '/'-separated, and a directory is written with a trailing '/'
 * ('src/', 'src/lib/'), as git and the `ignore` package write them: whether a path is a directory
 * matters to `dir/` patterns. The root directory is ''.
 *
 * How git's layering is reproduced with the `ignore` package: the package knows one rule list, where
 * the last matching rule wins and an excluded directory excludes everything below it. Git checks the
 * nearest directory's .gitignore first, then the ones above it, then .git/info/exclude, the last
 * matching pattern within a file deciding. Both agree if every pattern of a deeper .gitignore is
 * rewritten relative to the root ('foo' in sub/.gitignore becomes 'sub/**' + '/foo', '/a/b' becomes
 * 'sub/a/b') and appended after the patterns of the files above it. Each directory with a .gitignore
 * therefore gets one matcher holding every rule that applies below it, in precedence order.
 */

type Matcher = ignore.Ignore;

/** One .gitignore line as git reads it (dir.c: add_patterns_from_buffer, parse_path_pattern). */
export interface GitignorePattern {
  negative: boolean;
  /** The pattern without its '!' and without the trailing '/' that makes it match directories only. */
  body: string;
  directoryOnly: boolean;
}

/** The rules that decide the entries of one directory. Obtain from Coverage; cheap to call per entry. */
export class DirectoryRules {
  readonly #matcher: Matcher | undefined;
  readonly #excludedPaths: ReadonlySet<string>;
  /** Which names the matcher's excluding patterns could match at all. */
  readonly #names: NameFilter;
  /** Directories these rules found covered without asking the matcher (see excludes). */
  readonly #coveredDirectories = new Set<string>();
  /** The directory last asked about in #parentExcluded, and the answer: a walk asks per entry. */
  #lastParent = '';
  #lastParentExcluded = false;

  constructor(matcher: Matcher | undefined, excludedPaths: ReadonlySet<string>, names: NameFilter) {
    this.#matcher = matcher;
    this.#excludedPaths = excludedPaths;
    this.#names = names;
  }

  /**
   * Whether an entry of this directory is left out of snapshots. `entryPath` is root-relative, with a
   * trailing '/' for a directory. The entry's parent must itself be covered (the walk's situation:
   * an excluded directory is never entered); Coverage.excludes answers for any path.
   */
  excludes(entryPath: string): boolean {
    if (entryPath === '.git' || entryPath === '.git/') return true;
    if (this.#excludedPaths.size > 0 && this.#excludedPaths.has(entryPath)) return true;
    if (this.#matcher === undefined) return false;
    const isDirectory = entryPath.endsWith('/');
    const end = isDirectory ? entryPath.length - 1 : entryPath.length;
    const nameStart = entryPath.lastIndexOf('/', end - 1) + 1;
    if (this.#names.mayExclude(entryPath.slice(nameStart, end), isDirectory)) {
      return this.#matcher.ignores(entryPath);
    }
    // No pattern matches the entry itself, so the package would answer with its parent's result
    // (an excluded directory excludes everything below it).
    const excluded = nameStart > 0 && this.#parentExcluded(this.#matcher, entryPath, nameStart);
    if (isDirectory && !excluded) this.#coveredDirectories.add(entryPath);
    return excluded;
  }

  #parentExcluded(matcher: Matcher, entryPath: string, nameStart: number): boolean {
    if (this.#lastParent.length !== nameStart || !entryPath.startsWith(this.#lastParent)) {
      this.#lastParent = entryPath.slice(0, nameStart);
      this.#lastParentExcluded =
        !this.#coveredDirectories.has(this.#lastParent) && matcher.ignores(this.#lastParent);
    }
    return this.#lastParentExcluded;
  }
}

interface Layer {
  /** Rules from .git/info/exclude and every .gitignore from the root down to this directory. */
  gitRules: Matcher;
  /** The same rules as patterns (package syntax), for the layer's NameFilter. */
  gitPatterns: readonly string[];
  rules: DirectoryRules;
}

/**
 * The coverage rules of one workspace: the root `.git` (file or directory) is never covered; paths
 * ignored by .gitignore files (any depth) and .git/info/exclude are not covered unless
 * `ignoreGitignore`; `additional` patterns (root-relative, gitignore syntax) apply after all of those;
 * `excludedPaths` are never covered. Nested `.git` directories are ordinary content.
 *
 * Feed it each directory's .gitignore text with addGitignore as a walk enters the directory (parents
 * before children); answers take into account the texts added so far.
 */
export class Coverage {
  /** False when .gitignore files are not consulted, so a walk need not read them. */
  readonly readsGitignoreFiles: boolean;
  readonly #excludedPaths: ReadonlySet<string>;
  readonly #additional: Matcher | undefined;
  readonly #additionalPatterns: readonly string[];
  /** .git/info/exclude alone: what lies below every .gitignore. */
  readonly #base: Layer;
  /** Directories whose .gitignore was added, keyed by directory path. */
  readonly #layers = new Map<string, Layer>();

  /**
   * @param root the workspace root, used only to make `excludedPaths` relative (pass it resolved the
   *   same way as the excluded paths, e.g. both through realpath).
   * @param infoExcludeText the content of .git/info/exclude, if any (lowest precedence).
   */
  constructor(root: string, options: CoverageOptions, infoExcludeText = '') {
    this.readsGitignoreFiles = !options.ignoreGitignore;
    this.#excludedPaths = relativeExcludedPaths(root, options.excludedPaths ?? []);
    const additional = packagePatterns(parseGitignore(options.additional.join('\n')), '');
    this.#additional = additional.length > 0 ? newMatcher().add(additional) : undefined;
    this.#additionalPatterns = additional.map(({ pattern }) => pattern);
    const infoExclude = this.readsGitignoreFiles ? packagePatterns(parseGitignore(infoExcludeText), '') : [];
    this.#base = this.#layer(
      newMatcher().add(infoExclude),
      infoExclude.map(({ pattern }) => pattern),
    );
  }

  /**
   * Records that directory `dir` ('' for the root, else ending in '/') has a .gitignore with `text`,
   * and returns the rules for the entries of `dir`. Add a directory after its ancestors (adding it
   * again replaces its text, for directories below it added afterwards). A no-op when
   * `ignoreGitignore` is set.
   */
  addGitignore(dir: string, text: string): DirectoryRules {
    if (!this.readsGitignoreFiles) return this.#base.rules;
    const parent =
      dir === '' ? this.#base : this.#nearestLayer(dir.slice(0, dir.lastIndexOf('/', dir.length - 2) + 1));
    const patterns = packagePatterns(parseGitignore(text), escapeGlob(dir));
    const layer = this.#layer(newMatcher().add(parent.gitRules).add(patterns), [
      ...parent.gitPatterns,
      ...patterns.map(({ pattern }) => pattern),
    ]);
    this.#layers.set(dir, layer);
    return layer.rules;
  }

  /** The rules for the entries of directory `dir` ('' for the root, else ending in '/'). */
  rulesFor(dir: string): DirectoryRules {
    return this.#nearestLayer(dir).rules;
  }

  /**
   * Whether `path` (below the root; a directory with a trailing '/') is left out, itself or through an
   * excluded ancestor.
   */
  excludes(path: string): boolean {
    if (path === '.git' || path.startsWith('.git/')) return true;
    if (this.#excludedPaths.size > 0) {
      for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
        if (this.#excludedPaths.has(path.slice(0, slash + 1))) return true;
      }
      if (this.#excludedPaths.has(path)) return true;
    }
    const end = path.endsWith('/') ? path.length - 1 : path.length;
    return this.rulesFor(path.slice(0, path.lastIndexOf('/', end - 1) + 1)).excludes(path);
  }

  #nearestLayer(dir: string): Layer {
    for (let end = dir.length; end > 0; end = dir.lastIndexOf('/', end - 2) + 1) {
      const layer = this.#layers.get(dir.slice(0, end));
      if (layer) return layer;
    }
    return this.#layers.get('') ?? this.#base;
  }

  #layer(gitRules: Matcher, gitPatterns: readonly string[]): Layer {
    const hasGitRules = gitPatterns.length > 0;
    let matcher: Matcher | undefined;
    if (this.#additional === undefined) matcher = hasGitRules ? gitRules : undefined;
    else matcher = hasGitRules ? newMatcher().add(gitRules).add(this.#additional) : this.#additional;
    const names = new NameFilter([...gitPatterns, ...this.#additionalPatterns]);
    return { gitRules, gitPatterns, rules: new DirectoryRules(matcher, this.#excludedPaths, names) };
  }
}

// Git compares paths case-sensitively unless core.ignorecase (only set on case-insensitive file
// systems); the `ignore` package defaults to ignoring case.
function newMatcher(): Matcher {
  return ignore({ ignorecase: false });
}

/** Each excluded path in both spellings (file and directory), so one Set lookup answers per entry. */
function relativeExcludedPaths(root: string, paths: readonly string[]): ReadonlySet<string> {
  const relativePaths = new Set<string>();
  for (const path of paths) {
    const rel = relative(resolve(root), resolve(path));
    // The root itself and paths outside it cannot be entries of the workspace.
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) continue;
    relativePaths.add(rel);
    relativePaths.add(`${rel}/`);
  }
  return relativePaths;
}

/** The patterns of a .gitignore text, read line by line exactly as git 2.39 reads them. */
export function parseGitignore(text: string): GitignorePattern[] {
  const patterns: GitignorePattern[] = [];
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let lineStart = start; lineStart < text.length; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const rawLine = text.slice(lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (rawLine === '' || rawLine[0] === '#') continue;
    const line = trimTrailingSpaces(rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine);
    const negative = line[0] === '!';
    let body = negative ? line.slice(1) : line;
    const directoryOnly = body.endsWith('/');
    if (directoryOnly) body = body.slice(0, -1);
    // '', '/' and '!' match nothing in git; the `ignore` package would read some of them as '**'.
    if (body === '' || body === '/') continue;
    patterns.push({ negative, body, directoryOnly });
  }
  return patterns;
}

/** Git's trim_trailing_spaces: drops the spaces that end a line, up to one escaped as '\\ '. */
function trimTrailingSpaces(line: string): string {
  let lastSpace = -1;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === ' ') {
      if (lastSpace === -1) lastSpace = i;
    } else {
      if (char === '\\' && ++i === line.length) return line;
      lastSpace = -1;
    }
  }
  return lastSpace === -1 ? line : line.slice(0, lastSpace);
}

/**
 * Patterns for the `ignore` package, rewritten relative to the root. `escapedDir` is the .gitignore's
 * directory ('' or ending in '/') with glob characters escaped. Passed as {pattern} objects, which the
 * package does not split at newlines (a directory name may hold one).
 */
function packagePatterns(patterns: readonly GitignorePattern[], escapedDir: string): ignore.PatternParams[] {
  return patterns.map(({ negative, body, directoryOnly }) => {
    let rooted = body;
    if (escapedDir !== '') {
      // A pattern with a slash (other than a trailing one) is anchored to its .gitignore's directory;
      // one without matches a name at any depth below it.
      rooted = body.includes('/')
        ? escapedDir + (body[0] === '/' ? body.slice(1) : body)
        : `${escapedDir}**/${body}`;
    }
    let pattern = (negative ? '!' : '') + rooted + (directoryOnly ? '/' : '');
    // Git has already stripped the one BOM and line ending it strips; the package would strip more.
    if (pattern[0] === '\uFEFF') pattern = `\\${pattern}`;
    const last = pattern[pattern.length - 1];
    if (last === '\r' || last === '\n') pattern = `${withoutTrailingEscape(pattern.slice(0, -1))}[${last}]`;
    return { pattern };
  });
}

/** `text` without a final backslash that would escape what follows it. */
function withoutTrailingEscape(text: string): string {
  let backslashes = 0;
  while (text[text.length - 1 - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 1 ? text.slice(0, -1) : text;
}

/** A directory path as a literal gitignore pattern prefix. */
function escapeGlob(dir: string): string {
  return dir.replace(/[\\*?[!#]/g, '\\$&');
}
