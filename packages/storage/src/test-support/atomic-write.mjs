// Tries writeFileAtomic(path, `bytes` bytes) and prints the outcome as JSON (run under a file-size
// limit, it shows what a failed write leaves behind).
import { writeFileAtomic } from '@moat/storage';

const [path, bytes] = process.argv.slice(2);
try {
  await writeFileAtomic(path, Buffer.alloc(Number(bytes), 'n'));
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, name: error.name, code: error.code, message: error.message })}\n`,
  );
}
