import type { ExecEvent } from '@moat/trace';
import { Static, Text } from 'ink';
import { useLayoutEffect, useRef } from 'react';
import { ExecLine } from './exec-line.js';

type LogItem = { event: ExecEvent } | { skipped: number; at: number };

/**
 * Finished processes, each printed once into the scrollback through `<Static>`. State keeps only
 * the latest `events` of `total`, so the printed count is tracked here in absolute numbers, and each
 * `<Static>` (keyed by where it starts) only ever sees items appended after that point: trimming
 * the front of `events` can never re-print or skip one. Processes that finished and were trimmed
 * before they could be printed (a burst larger than what state keeps) are counted in one line.
 */
export function ExecLog({ events, total }: { events: readonly ExecEvent[]; total: number }) {
  const printed = useRef(0);
  const start = printed.current;
  const unprinted = total - start;
  const kept = Math.min(events.length, unprinted);
  const items: LogItem[] = events.slice(events.length - kept).map((event) => ({ event }));
  if (unprinted > kept) items.unshift({ skipped: unprinted - kept, at: start });
  useLayoutEffect(() => {
    printed.current = total;
  }, [total]);
  return (
    <Static key={start} items={items}>
      {(item) =>
        'event' in item ? (
          <ExecLine key={item.event.seq} event={item.event} now={0} />
        ) : (
          <Text key={`skipped-${item.at}`} dimColor>
            … {item.skipped} more finished (too many at once to show)
          </Text>
        )
      }
    </Static>
  );
}
