export {
  type BtrfsCheck,
  checkBtrfsBackend,
  isBtrfsSubvolume,
  isSubvolumeRoot,
  requireBtrfsBackend,
} from './detect.js';
export { createSnapshot, deleteSnapshot, listSubvolumes } from './snapshots.js';
