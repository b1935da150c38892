import { Box, Text } from 'ink';
import type { ExecView } from '../state/selectors.js';
import { ExecLine } from './exec-line.js';

/** The live part of the exec pane: the filtered view when a filter is on, then running processes. */
export function ExecPane({ view, now }: { view: ExecView; now: number }) {
  return (
    <Box flexDirection="column">
      {view.filter ? (
        <Box flexDirection="column">
          <Text bold>
            Matches ({view.filter.description}): {view.filter.matchCount} of the last {view.filter.kept}{' '}
            finished
          </Text>
          {view.filter.matches.map((event) => (
            <ExecLine key={event.seq} event={event} now={now} />
          ))}
        </Box>
      ) : null}
      <Text bold>
        Running
        {view.running.length === 0 && view.runningMore === 0 ? <Text dimColor> (none)</Text> : null}
      </Text>
      {view.running.map((event) => (
        <ExecLine key={event.seq} event={event} now={now} />
      ))}
      {view.runningMore > 0 ? <Text dimColor>… and {view.runningMore} more running</Text> : null}
    </Box>
  );
}
