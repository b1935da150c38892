import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { makeEvent, plain } from '../test-support/fixtures.js';
import { execLineText } from './exec-line-text.js';
import { ExecLog } from './exec-log.js';

const finished = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => makeEvent(from + i, { exit_code: 0, duration_ms: 1 }));

describe('ExecLog', () => {
  it('prints each finished event once, even when state trims the oldest', () => {
    const app = render(<ExecLog events={finished(1, 3)} total={3} color={false} />);
    app.rerender(<ExecLog events={finished(3, 6)} total={6} color={false} />); // 1 and 2 trimmed, 4–6 new
    app.rerender(<ExecLog events={finished(5, 6)} total={6} color={false} />); // nothing new
    app.rerender(<ExecLog events={finished(5, 8)} total={8} color={false} />);
    const output = plain(app.frames.join(''));
    for (let seq = 1; seq <= 8; seq++) expect(output.match(new RegExp(`#${seq} `, 'g'))).toHaveLength(1);
  });

  it('counts the ones trimmed before they could be printed', () => {
    const output = plain(
      render(<ExecLog events={finished(8, 10)} total={10} color={false} />).frames.join(''),
    );
    expect(output).toContain('… 7 more finished');
    expect(output).toMatch(/#10 /);
    expect(output).not.toMatch(/#7 /);
  });
});

describe('execLineText', () => {
  it('lays a finished process out as the live pane does, coloured by how it ended', () => {
    const ok = makeEvent(12, {
      command: 'git',
      args: ['commit', '-m', 'wip'],
      exit_code: 0,
      duration_ms: 1500,
    });
    expect(execLineText(ok, { columns: 80, color: false })).toBe(
      '#12    exit 0       1.5s git commit -m wip',
    );
    const failed = makeEvent(13, { exit_code: 2, duration_ms: 20 });
    expect(execLineText(failed, { columns: 80, color: true })).toContain('\x1b[31mexit 2   ');
    const killed = makeEvent(14, { exit_code: null, signal: 9, duration_ms: 20 });
    expect(execLineText(killed, { columns: 80, color: true })).toContain('\x1b[35msig 9    ');
  });

  it('never prints wider than the terminal, counting wide characters twice', () => {
    const event = makeEvent(1, {
      command: 'echo',
      args: ['日本語のテキスト'.repeat(10)],
      exit_code: 0,
      duration_ms: 1,
    });
    const line = execLineText(event, { columns: 40, color: false });
    expect(line.endsWith('…')).toBe(true);
    // 25 cells of seq, exit and duration, then 14 of text (each kanji is 2) and the ellipsis.
    expect(line).toBe(`#1     exit 0        1ms echo '日本語の…`);
    expect(stringWidth(line)).toBe(40);
  });

  it('shows control characters in arguments as escapes instead of sending them to the terminal', () => {
    const event = makeEvent(1, { command: 'printf', args: ['\x1b[2J\x07'], exit_code: 0, duration_ms: 1 });
    const line = execLineText(event, { columns: 80, color: false });
    expect([...line].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(line).toContain('\\x1b[2J\\x07');
  });

  it('says when the argv is not exact', () => {
    const event = makeEvent(1, { argv_status: 'comm_only', exit_code: 0, duration_ms: 1 });
    expect(execLineText(event, { columns: 80, color: false })).toMatch(/git status \(comm only\)$/);
  });
});
