// Group message reception windows kept in the manager's store (spec "Message Counter Processing", group peers; the
// reference SDK's GroupPeerTable, which holds them in RAM only). A group window trusts the first counter it sees
// from a sender, so a window forgotten at a restart would accept a captured group message again: here each
// window is written to the store after every commit and loaded with the manager, so after a restart the sender's
// old counters stay duplicates.
//
// Writes are coalesced per window: one write in flight and the latest state written after it, so a burst costs
// two writes, not one per message. A graceful close() waits for them. A process that crashes loses at most the
// commits of the write in flight (one fsync on a FileStore): messages accepted in that instant could be accepted
// once more after the crash.
import type { KeyValueStore } from '../storage/key-value-store.js';
import { GroupReceptionWindow, type CounterVerdict } from './reception-window.js';
import { SessionLimitError } from './session-errors.js';

const PREFIX = 'group-reception/';
/** Senders tracked per fabric and traffic kind unless configured: bounds what group members can make us hold. */
export const DEFAULT_MAX_GROUP_PEERS = 256;
const MAX_COUNTER = 0xffffffff;
const utf8 = new TextEncoder();
const ascii = new TextDecoder();

/** A group window whose state can be written out and read back. */
class StoredGroupWindow extends GroupReceptionWindow {
  toText(): string {
    return `${this.max}:${this.seen >>> 0}`;
  }

  static fromText(text: string): StoredGroupWindow | undefined {
    const match = /^(\d{1,10}):(\d{1,10})$/.exec(text);
    if (!match) return undefined;
    const max = Number(match[1]), seen = Number(match[2]);
    if (max > MAX_COUNTER || seen > MAX_COUNTER) return undefined;
    const window = new StoredGroupWindow();
    window.max = max;
    window.seen = seen | 0;
    return window;
  }
}

const windowKey = (fabricIndex: number, sourceNodeId: bigint, control: boolean): string =>
  `${PREFIX}${fabricIndex}/${sourceNodeId.toString(16)}/${control ? 'c' : 'd'}`;

export interface GroupReceptionStateOptions {
  /** Senders tracked per fabric and kind (data, control); a message from one more is refused. Default 256. */
  maxPeers?: number;
  /** Receives failed writes and unreadable stored windows. */
  onError?: (error: unknown) => void;
}

export class GroupReceptionState {
  readonly #store: KeyValueStore;
  readonly #windows = new Map<string, StoredGroupWindow>();
  readonly #maxPeers: number;
  readonly #onError: (error: unknown) => void;
  /** Windows with a write in flight, and whether another must follow it. */
  readonly #writing = new Map<string, { again: boolean; done: Promise<void> }>();

  private constructor(store: KeyValueStore, options: GroupReceptionStateOptions) {
    this.#store = store;
    const maxPeers = options.maxPeers ?? DEFAULT_MAX_GROUP_PEERS;
    if (!Number.isInteger(maxPeers) || maxPeers < 1) throw new RangeError(`maxGroupPeers: expected a positive integer, got ${String(maxPeers)}`);
    this.#maxPeers = maxPeers;
    this.#onError = options.onError ?? console.error;
  }

  /** Loads every stored window. An unreadable one is reported and left out. */
  static async load(store: KeyValueStore, options: GroupReceptionStateOptions = {}): Promise<GroupReceptionState> {
    const state = new GroupReceptionState(store, options);
    for (const key of await store.list(PREFIX)) {
      const bytes = await store.get(key);
      const window = bytes && StoredGroupWindow.fromText(ascii.decode(bytes));
      if (window) state.#windows.set(key, window);
      else if (bytes) state.#onError(new Error(`group reception window ${key} is unreadable: expected "max:seen" in decimal`));
    }
    return state;
  }

  /**
   * The verdict for a group message's counter from `sourceNodeId`; changes nothing. Throws SessionLimitError for a
   * sender beyond the limit (its first message would otherwise be trusted and held).
   */
  verify(fabricIndex: number, sourceNodeId: bigint, control: boolean, counter: number): CounterVerdict {
    const key = windowKey(fabricIndex, sourceNodeId, control);
    const window = this.#windows.get(key);
    if (window) return window.verify(counter);
    if (this.#peerCount(fabricIndex, control) >= this.#maxPeers) {
      throw new SessionLimitError(`group peers: ${this.#maxPeers} senders are tracked on fabric ${fabricIndex}; the limit`);
    }
    return 'new';
  }

  /** Records a counter `verify` called new, and writes the sender's window to the store. */
  commit(fabricIndex: number, sourceNodeId: bigint, control: boolean, counter: number): void {
    const key = windowKey(fabricIndex, sourceNodeId, control);
    let window = this.#windows.get(key);
    if (!window) this.#windows.set(key, (window = new StoredGroupWindow()));
    window.commit(counter);
    this.#save(key);
  }

  /** Forgets a fabric's windows, here and in the store. */
  async removeFabric(fabricIndex: number): Promise<void> {
    const prefix = `${PREFIX}${fabricIndex}/`;
    for (const key of [...this.#windows.keys()]) if (key.startsWith(prefix)) this.#windows.delete(key);
    await this.flush();
    for (const key of await this.#store.list(prefix)) await this.#store.delete(key);
  }

  /** Resolves once every window committed so far is in the store. */
  async flush(): Promise<void> {
    while (this.#writing.size > 0) await Promise.all([...this.#writing.values()].map((w) => w.done));
  }

  #peerCount(fabricIndex: number, control: boolean): number {
    const prefix = `${PREFIX}${fabricIndex}/`, suffix = control ? '/c' : '/d';
    let count = 0;
    for (const key of this.#windows.keys()) if (key.startsWith(prefix) && key.endsWith(suffix)) count++;
    return count;
  }

  #save(key: string): void {
    const inFlight = this.#writing.get(key);
    if (inFlight) {
      inFlight.again = true;
      return;
    }
    const entry = { again: true, done: Promise.resolve() };
    this.#writing.set(key, entry); // before the first write starts: a synchronous finish must find it to remove it
    entry.done = (async () => {
      while (entry.again) {
        entry.again = false;
        const window = this.#windows.get(key);
        try {
          if (window) await this.#store.set(key, utf8.encode(window.toText()));
        } catch (error) {
          this.#onError(new Error(`group reception window ${key} was not saved: ${String(error)}`, { cause: error }));
        }
      }
      this.#writing.delete(key);
    })();
  }
}
