// `matter-sessions/redis`: the Redis store for edge fleets (Node, Bun, Deno with npm: ioredis is a peer dependency).
export {
  RedisStore, StoreUnavailableError, CounterExhaustedError, NoFreeSessionIdError,
  type RedisStoreOptions, type CounterBlock, type SharedCounterVerdict,
} from './storage/redis-store.js';
export { FleetEpochError, type FleetStore, type FleetSessionKeys, type FleetVerdict, type FleetCounterBlock } from './storage/fleet-store.js';
export { ValueSealer, SealedValueError, encryptedStore } from './storage/encrypted-store.js';
