/*
 * A cheap first test of whether any pattern could exclude an entry, from its name alone, so that most
 * entries of a walk never reach the `ignore` package's regular expressions (about a microsecond per
 * entry in a fresh process: a tenth of `moat run`'s pre-run scan of a small workspace).
 *
 * It must never say no when a pattern matches. What it relies on: every pattern's regular expression
 * ends at the end of the path (but 'x/**', which ends in a wildcard), so the literal characters that
 * end a pattern end the path too; and the last segment of a pattern matches exactly the last segment
 * of the path, so the literal characters that start that segment start the name. Anything harder to
 * read ('[…]' classes, which may even hold a '/', and '\' escapes) only shortens the literal parts it
 * relies on, down to none. name-filter.test.ts checks this against the package on random patterns.
 */

const WILDCARDS = '*?[]\\';

interface NameShape {
  prefix: string;
  suffix: string;
  directoryOnly: boolean;
}

/** Which names the excluding patterns of a rule list could match. Negated patterns never exclude. */
export class NameFilter {
  /** Patterns that are one literal name, the most common kind ('node_modules/', '.env'). */
  readonly #names = new Set<string>();
  readonly #directoryNames = new Set<string>();
  readonly #shapes: NameShape[] = [];

  /** @param patterns in the `ignore` package's syntax, as Coverage hands them to it. */
  constructor(patterns: Iterable<string>) {
    for (const pattern of patterns) {
      if (pattern[0] === '!') continue;
      const directoryOnly = pattern.endsWith('/');
      const body = directoryOnly ? pattern.slice(0, -1) : pattern;
      const segment = body.slice(body.lastIndexOf('/') + 1);
      let suffixStart = segment.length;
      while (suffixStart > 0 && !WILDCARDS.includes(segment[suffixStart - 1] as string)) suffixStart--;
      if (suffixStart === 0 && segment !== '') {
        (directoryOnly ? this.#directoryNames : this.#names).add(segment);
        continue;
      }
      let prefixEnd = 0;
      if (!/[[\]\\]/.test(segment)) {
        while (prefixEnd < segment.length && !WILDCARDS.includes(segment[prefixEnd] as string)) prefixEnd++;
      }
      this.#shapes.push({
        prefix: segment.slice(0, prefixEnd),
        suffix: segment.slice(suffixStart),
        directoryOnly,
      });
    }
  }

  /** False when no excluding pattern can match an entry named `name`; true when one may. */
  mayExclude(name: string, isDirectory: boolean): boolean {
    if (this.#names.has(name) || (isDirectory && this.#directoryNames.has(name))) return true;
    for (const { prefix, suffix, directoryOnly } of this.#shapes) {
      if (
        (isDirectory || !directoryOnly) &&
        name.length >= prefix.length + suffix.length &&
        name.startsWith(prefix) &&
        name.endsWith(suffix)
      ) {
        return true;
      }
    }
    return false;
  }
}
