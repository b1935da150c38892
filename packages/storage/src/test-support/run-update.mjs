// Appends `count` arguments `<tag>-<i>` to a run's command, one RunStore.update each: concurrent
// copies of this script lose an argument unless updates are serialised across processes.
import { RunStore } from '@moat/storage';

const [home, id, tag, count] = process.argv.slice(2);
const store = new RunStore(home);
for (let i = 0; i < Number(count); i++) {
  await store.update(id, (run) => ({ ...run, command: [...run.command, `${tag}-${i}`] }));
}
