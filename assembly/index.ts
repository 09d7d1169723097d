// The module's exports. src/core is the only code that calls them; it validates every argument first.
export { ccmSeal, ccmOpen, ctrXor } from './ccm';
export { keySlotCreate, keySlotRelease, keySlotsLive } from './key-slots';
export {
  allocatorCreate, allocatorDispose, allocatorAllocate, allocatorRelease, allocatorReserve, allocatorInUse,
  allocatorCount,
} from './session-ids';
export { scratchReserve } from './scratch';
