// Session ids 1..65535 handed out by the core's bitmap allocator (assembly/session-ids.ts).
import * as check from './arguments.js';
import { SessionIdsExhaustedError } from './errors.js';
import { core } from './wasm-module.js';

const disposed = new FinalizationRegistry<number>((handle) => core().allocatorDispose(handle));

/** A random start hint in 1..65535, as the reference allocator uses (ids are not predictable across restarts). */
function randomHint(): number {
  const r = new Uint16Array(1);
  do crypto.getRandomValues(r); while (r[0] === 0);
  return r[0]!;
}

export class SessionIdAllocator {
  #handle: number;

  /** `startHint` (1..65535) fixes where allocation starts; by default it is random. Requires `await ready()`. */
  constructor(startHint?: number) {
    const hint = startHint === undefined ? randomHint() : check.sessionId(startHint);
    this.#handle = core().allocatorCreate(hint);
    disposed.register(this, this.#handle, this);
  }

  #h(): number {
    if (this.#handle === 0) throw new Error('SessionIdAllocator: used after dispose()');
    return this.#handle;
  }

  /** The next free id upward from the hint (65535 wraps to 1, 0 is never used); throws when all are live. */
  allocate(): number {
    const id = core().allocatorAllocate(this.#h());
    if (id === 0) throw new SessionIdsExhaustedError();
    return id;
  }

  /** Frees a live id; releasing an id that is not live is an error. */
  release(id: number): void {
    check.sessionId(id);
    if (core().allocatorRelease(this.#h(), id) !== 1) throw new RangeError(`id: ${id} is not allocated`);
  }

  /** Marks a known id live (restoring sessions from storage); reserving a live id is an error. */
  reserve(id: number): void {
    check.sessionId(id);
    if (core().allocatorReserve(this.#h(), id) !== 1) throw new RangeError(`id: ${id} is already in use`);
  }

  inUse(id: number): boolean {
    check.sessionId(id);
    return core().allocatorInUse(this.#h(), id) === 1;
  }

  /** Live ids. */
  get size(): number {
    return core().allocatorCount(this.#h());
  }

  dispose(): void {
    if (this.#handle === 0) return;
    disposed.unregister(this);
    core().allocatorDispose(this.#handle);
    this.#handle = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
