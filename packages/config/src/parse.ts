import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from './errors.js';
import type { LoadedConfig } from './schema.js';
import { validateDocument } from './validate.js';

/**
 * Parses and validates the text of a moat.yaml without touching the disk. `file` is only the name
 * shown in messages. Throws a ConfigError for the first problem in document order.
 */
export function parseConfig(text: string, file: string): LoadedConfig {
  const lineCounter = new LineCounter();
  // A byte-order mark would shift every column on the first line by one.
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false });
  // The tree around a syntax error is guesswork, so syntax errors win over anything found in it.
  const [firstSyntaxError] = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0]);
  if (firstSyntaxError !== undefined) throw syntaxError(firstSyntaxError, lineCounter, file);
  const { config, warnings } = validateDocument(doc, lineCounter, file);
  return { config, file, warnings };
}

function syntaxError(error: YAMLError, lineCounter: LineCounter, file: string): ConfigError {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  // The parser's own wording for this case recommends one of its APIs, which helps no user.
  const detail =
    error.code === 'MULTIPLE_DOCS'
      ? 'a second document starts here, but the file must hold only one'
      : (error.message.split('\n', 1)[0] ?? error.message);
  return new ConfigError({
    code: 'syntax',
    message: `invalid YAML: ${detail}`,
    file,
    line,
    column: col,
    cause: error,
  });
}
