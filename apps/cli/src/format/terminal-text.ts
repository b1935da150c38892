/** The SGR styles moat prints; names as Ink's `color` prop spells them. */
const SGR = {
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  magenta: '35',
  cyan: '36',
  gray: '90',
} as const;

export type Style = keyof typeof SGR;

/** `text` in `style` when colour is on, else unchanged. */
export function styled(text: string, style: Style, color: boolean): string {
  return color && text !== '' ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text;
}

// C0 and C1 controls and DEL: printed raw they move the cursor, clear the screen or retitle the window.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from outside (a command line, a file name) made safe to print: every control character is
 * shown as a `\xNN` escape, so a process or a file cannot write terminal sequences through moat.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
