import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type LineCounter,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { BYTE_SIZE_EXAMPLE, parseByteSize } from './byte-size.js';
import {
  ConfigError,
  type ConfigErrorCode,
  type ConfigWarning,
  createWarning,
  type SourceLocation,
} from './errors.js';
import {
  defaultConfig,
  type MoatConfig,
  SNAPSHOT_BACKENDS,
  type SnapshotExcludeConfig,
  type SnapshotLimitsConfig,
  type SnapshotRetentionConfig,
  type SnapshotsConfig,
  type SnapshotTriggersConfig,
  type TracingConfig,
} from './schema.js';
import { closestMatch } from './suggest.js';

/** Top-level keys that other moat features own: ignored here, and never reported as typos. */
const OTHER_MOAT_KEYS: ReadonlySet<string> = new Set([
  'name',
  'agent',
  'version',
  'description',
  'grants',
  'dependencies',
  'network',
  'env',
  'secrets',
  'mounts',
  'ports',
  'runtime',
  'hooks',
  'interactive',
  'command',
  'container',
]);

const MAX_SHOWN_CHARACTERS = 40;

type ValueNode = Scalar | YAMLMap | YAMLSeq;

interface ValidationContext {
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  readonly file: string;
}

/** Reads one setting's value node; `fallback` is the default it replaces, which sections build on. */
type FieldReader<T> = (node: ValueNode, path: string, ctx: ValidationContext, fallback: T) => T;

type SectionSpec<T> = { readonly [K in keyof T]-?: FieldReader<T[K]> };

/** Decides what a key the spec does not know means: an error inside our sections, a hint at the top. */
type UnknownKeyHandler = (key: string, keyNode: unknown, knownKeys: readonly string[]) => void;

export interface ValidatedConfig {
  config: MoatConfig;
  warnings: ConfigWarning[];
}

/** Turns a syntactically valid YAML document into a defaulted config; throws the first problem in it. */
export function validateDocument(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  file: string,
): ValidatedConfig {
  const ctx: ValidationContext = { doc, lineCounter, file };
  const warnings: ConfigWarning[] = [];
  const root = resolveNode(doc.contents, ctx);
  if (isUnset(root)) return { config: defaultConfig(), warnings };
  if (!isMap(root)) {
    throw fail(ctx, 'type', root, `the top level must be a mapping of settings, got ${describe(root)}`);
  }

  // A misspelt section would otherwise be skipped like any other key, and its settings silently lost.
  const warnAboutLikelyTypo: UnknownKeyHandler = (key, keyNode, sectionKeys) => {
    if (OTHER_MOAT_KEYS.has(key)) return;
    const suggestion = closestMatch(key, sectionKeys);
    if (suggestion === undefined) return;
    const message = `unknown top-level key ${quote(key)} is ignored; did you mean ${quote(suggestion)}?`;
    warnings.push(createWarning(locate(ctx, keyNode), message));
  };
  const config = readMapping(root, '', ctx, defaultConfig(), topLevelSections, warnAboutLikelyTypo);
  return { config, warnings };
}

function readMapping<T extends object>(
  node: YAMLMap,
  path: string,
  ctx: ValidationContext,
  fallback: T,
  spec: SectionSpec<T>,
  onUnknownKey: UnknownKeyHandler,
): T {
  const knownKeys = Object.keys(spec);
  const result = { ...fallback };
  for (const pair of node.items) {
    const key = keyText(pair.key);
    if (!isKnownKey(spec, key)) {
      onUnknownKey(key, pair.key, knownKeys);
      continue;
    }
    const value = resolveNode(pair.value, ctx);
    // `key:` with nothing after it keeps the default, like leaving the key out.
    if (isUnset(value)) continue;
    result[key] = spec[key](value, path === '' ? key : `${path}.${key}`, ctx, fallback[key]);
  }
  return result;
}

function section<T extends object>(spec: SectionSpec<T>): FieldReader<T> {
  return (node, path, ctx, fallback) => {
    if (!isMap(node)) {
      throw fail(ctx, 'type', node, `${path} must be a mapping of settings, got ${describe(node)}`);
    }
    return readMapping(node, path, ctx, fallback, spec, (key, keyNode, knownKeys) => {
      const suggestion = closestMatch(key, knownKeys);
      const hint =
        suggestion === undefined
          ? `known keys: ${knownKeys.join(', ')}`
          : `did you mean ${quote(suggestion)}?`;
      throw fail(ctx, 'unknown_key', keyNode, `unknown key ${quote(key)} in ${path}; ${hint}`);
    });
  };
}

const boolean: FieldReader<boolean> = (node, path, ctx) => {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  // Quoting `yes`/`on` in the message shows they are strings in YAML 1.2, not booleans.
  throw fail(ctx, 'type', node, `${path} must be true or false, got ${describe(node)}`);
};

function wholeNumber(minimum: number, kind = 'a whole number'): FieldReader<number> {
  return (node, path, ctx) => {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      throw fail(ctx, 'type', node, `${path} must be ${kind}, got ${describe(node)}`);
    }
    return checkRange(node.value, minimum, node, path, ctx);
  };
}

const byteSize: FieldReader<number> = (node, path, ctx) => {
  const bytes = bytesOf(node);
  if (bytes === undefined) {
    throw fail(ctx, 'type', node, `${path} must be ${BYTE_SIZE_EXAMPLE}, got ${describe(node)}`);
  }
  return checkRange(bytes, 1, node, path, ctx);
};

function bytesOf(node: ValueNode): number | undefined {
  if (!isScalar(node)) return undefined;
  if (typeof node.value === 'string') return parseByteSize(node.value);
  if (typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
  return undefined;
}

function checkRange(
  value: number,
  minimum: number,
  node: ValueNode,
  path: string,
  ctx: ValidationContext,
): number {
  if (value < minimum) {
    throw fail(ctx, 'range', node, `${path} must be at least ${minimum}, got ${describe(node)}`);
  }
  if (!Number.isSafeInteger(value)) {
    throw fail(
      ctx,
      'range',
      node,
      `${path} must be at most ${Number.MAX_SAFE_INTEGER}, got ${describe(node)}`,
    );
  }
  return value;
}

function oneOf<T extends string>(choices: readonly T[]): FieldReader<T> {
  return (node, path, ctx) => {
    const value = isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
    if (value !== undefined && isOneOf(choices, value)) return value;
    const suggestion = value === undefined ? undefined : closestMatch(value, choices);
    const hint = suggestion === undefined ? '' : `; did you mean ${quote(suggestion)}?`;
    throw fail(
      ctx,
      'type',
      node,
      `${path} must be one of ${choices.join(', ')}, got ${describe(node)}${hint}`,
    );
  };
}

const patternList: FieldReader<string[]> = (node, path, ctx) => {
  if (!isSeq(node)) {
    throw fail(ctx, 'type', node, `${path} must be a list of patterns, got ${describe(node)}`);
  }
  return node.items.map((rawItem, index) => {
    const item = resolveNode(rawItem, ctx);
    const itemPath = `${path}[${index}]`;
    if (item === undefined || !isScalar(item) || typeof item.value !== 'string') {
      throw fail(ctx, 'type', item ?? node, `${itemPath} must be a pattern string, got ${describe(item)}`);
    }
    // A blank gitignore line matches nothing, so a blank pattern can only be a mistake.
    if (item.value.trim() === '') {
      throw fail(ctx, 'range', item, `${itemPath} must be a non-empty pattern, got ${describe(item)}`);
    }
    return item.value;
  });
};

const snapshotTriggers = section<SnapshotTriggersConfig>({
  disable_pre_run: boolean,
  disable_git_commits: boolean,
  disable_builds: boolean,
  disable_idle: boolean,
  idle_threshold_seconds: wholeNumber(1, 'a whole number of seconds'),
});

const snapshotExclude = section<SnapshotExcludeConfig>({
  ignore_gitignore: boolean,
  additional: patternList,
});

const snapshotRetention = section<SnapshotRetentionConfig>({
  max_count: wholeNumber(0),
  delete_initial: boolean,
});

const snapshotLimits = section<SnapshotLimitsConfig>({
  max_files: wholeNumber(1),
  max_total_bytes: byteSize,
  max_file_bytes: byteSize,
});

const topLevelSections: SectionSpec<MoatConfig> = {
  snapshots: section<SnapshotsConfig>({
    disabled: boolean,
    backend: oneOf(SNAPSHOT_BACKENDS),
    triggers: snapshotTriggers,
    exclude: snapshotExclude,
    retention: snapshotRetention,
    limits: snapshotLimits,
  }),
  tracing: section<TracingConfig>({ disable_exec: boolean }),
};

function isKnownKey<T extends object>(spec: SectionSpec<T>, key: string): key is keyof T & string {
  return Object.hasOwn(spec, key);
}

function isOneOf<T extends string>(choices: readonly T[], value: string): value is T {
  return (choices as readonly string[]).includes(value);
}

/** Follows an alias to its anchored node; undefined stands for a key with no value node at all. */
function resolveNode(node: unknown, ctx: ValidationContext): ValueNode | undefined {
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    // The parser accepts an alias without an anchor; only resolving it reveals the mistake.
    if (target === undefined) {
      throw fail(
        ctx,
        'syntax',
        node,
        `invalid YAML: alias "*${node.source}" has no anchor "&${node.source}" before it`,
      );
    }
    return target;
  }
  return isScalar(node) || isMap(node) || isSeq(node) ? node : undefined;
}

function isUnset(node: ValueNode | undefined): node is undefined | Scalar<null> {
  return node === undefined || (isScalar(node) && node.value === null);
}

function keyText(key: unknown): string {
  if (isScalar(key)) return typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
  // Collection keys (`? [a, b]`) are never valid; their flow form is enough to point at them.
  return String(key);
}

/** A value as the user wrote it: strings JSON-quoted, numbers and booleans verbatim, long text cut. */
function describe(node: ValueNode | undefined): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (node === undefined || node.value === null) return 'null';
  if (typeof node.value === 'string') return quote(node.value);
  return truncate(node.source ?? String(node.value));
}

function quote(text: string): string {
  return JSON.stringify(truncate(text));
}

function truncate(text: string): string {
  const characters = Array.from(text);
  return characters.length <= MAX_SHOWN_CHARACTERS
    ? text
    : `${characters.slice(0, MAX_SHOWN_CHARACTERS).join('')}…`;
}

function locate(ctx: ValidationContext, node: unknown): SourceLocation & { file: string } {
  const start = isNode(node) ? node.range?.[0] : undefined;
  if (start === undefined) return { file: ctx.file };
  const { line, col } = ctx.lineCounter.linePos(start);
  return { file: ctx.file, line, column: col };
}

function fail(ctx: ValidationContext, code: ConfigErrorCode, node: unknown, message: string): ConfigError {
  return new ConfigError({ code, message, ...locate(ctx, node) });
}
