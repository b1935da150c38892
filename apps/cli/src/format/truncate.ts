import stringWidth from 'string-width';

// Made on first use: creating a segmenter loads ICU data, which `moat run` should not wait for.
let graphemes: Intl.Segmenter | undefined;

/** Plain text cut to at most `columns` terminal cells, ending in `…` when cut (wide characters count twice). */
export function truncateToWidth(text: string, columns: number): string {
  if (columns <= 0) return '';
  if (text.length <= columns && isPrintableAscii(text)) return text;
  if (stringWidth(text) <= columns) return text;
  let out = '';
  let used = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) {
    const width = stringWidth(segment);
    if (used + width > columns - 1) break;
    out += segment;
    used += width;
  }
  return `${out}…`;
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}
