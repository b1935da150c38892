/** One small file to write: where, through which temporary name, and with which metadata. */
export interface SmallFileWrite {
  target: string;
  /** Written here first and renamed over `target`; null to create `target` directly. */
  temp: string | null;
  mode: number;
  mtimeUs: number;
  /** Set the mode explicitly after creating (the temporary mode or the umask would leave others). */
  setMode: boolean;
}

type Fs = typeof import('node:fs');

/**
 * Writes one file whose content is in memory: create exclusively, write, mode, mtime, close, and
 * rename over the target when written under a temporary name. A directory that denies writing (a
 * read-only one whose mode the restore gives back at the end) is made writable for its owner first.
 *
 * Self-contained on purpose: the writer threads run its source text (see parallel-writer.ts), so it
 * may use nothing but its arguments.
 */
export function writeSmallFile(fs: Fs, item: SmallFileWrite, data: Uint8Array): void {
  // Half a microsecond more, so that libuv's truncation to whole microseconds lands on mtimeUs.
  const seconds = (item.mtimeUs + 0.5) / 1e6;
  const attempt = () => {
    const fd = fs.openSync(item.temp ?? item.target, 'wx', item.temp ? 0o600 : item.mode);
    try {
      for (let offset = 0; offset < data.length; ) offset += fs.writeSync(fd, data, offset);
      if (item.setMode) fs.fchmodSync(fd, item.mode);
      fs.futimesSync(fd, seconds, seconds);
    } finally {
      fs.closeSync(fd);
    }
    if (item.temp) fs.renameSync(item.temp, item.target);
  };
  try {
    attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    fs.chmodSync(item.target.slice(0, item.target.lastIndexOf('/')) || '/', 0o700);
    attempt();
  }
}
