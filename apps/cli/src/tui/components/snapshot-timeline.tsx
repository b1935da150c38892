import { Box, Text } from 'ink';
import { plural } from '../../format/plural.js';
import type { TimelineView } from '../state/selectors.js';
import { usePaint } from './theme.js';

export function SnapshotTimeline({ view }: { view: TimelineView }) {
  const paint = usePaint();
  return (
    <Box flexDirection="column">
      <Text bold>
        Snapshots
        {view.total === 0 ? <Text dimColor> (none yet)</Text> : <Text dimColor> ({view.total})</Text>}
      </Text>
      {view.above > 0 ? <Text dimColor> ↑ {view.above} newer</Text> : null}
      {view.rows.map((row) => (
        <Text key={row.id} inverse={row.selected} wrap="truncate-end">
          {row.selected ? '›' : ' '} <Text color={paint('yellow')}>{row.type.padEnd(8)}</Text> {row.time}{' '}
          <Text dimColor>{row.id}</Text> {plural(row.files, 'file').padEnd(12)}
          {row.changed === null ? '' : `${row.changed} changed `}
          {row.label}
        </Text>
      ))}
      {view.below > 0 ? <Text dimColor> ↓ {view.below} older</Text> : null}
    </Box>
  );
}
