// Keys are lower-cased units: letter case never matters, only the "i" marks a binary unit.
const UNIT_BYTES: ReadonlyMap<string, bigint> = new Map([
  ['', 1n],
  ['b', 1n],
  ['kb', 1000n],
  ['kib', 1024n],
  ['mb', 1000n ** 2n],
  ['mib', 1024n ** 2n],
  ['gb', 1000n ** 3n],
  ['gib', 1024n ** 3n],
  ['tb', 1000n ** 4n],
  ['tib', 1024n ** 4n],
]);

const BYTE_SIZE_PATTERN = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i;

/** An example of the accepted forms, for messages that reject a size. */
export const BYTE_SIZE_EXAMPLE = 'a size in bytes such as 1048576 or "512MiB"';

/**
 * Bytes denoted by `text` ("4096", "512MiB", "2 GiB", "1.5GB"), rounded down, or undefined when
 * `text` is not a size. The result is not range-checked: it may be 0 or beyond a safe integer.
 */
export function parseByteSize(text: string): number | undefined {
  const match = BYTE_SIZE_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const [, whole = '', fraction = '', unit = ''] = match;
  const unitBytes = UNIT_BYTES.get(unit.toLowerCase());
  if (unitBytes === undefined) return undefined;
  // BigInt keeps "2.01kB" exact: 2.01 * 1000 in floating point is 2009.9999999999998.
  const scaledDigits = BigInt(whole + fraction) * unitBytes;
  return Number(scaledDigits / 10n ** BigInt(fraction.length));
}
