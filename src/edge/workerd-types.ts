// The parts of the Workers runtime API the workerd edge uses, typed structurally: the package builds against Node's
// types, without @cloudflare/workers-types.

/** The Durable Object storage API (ctx.storage), the calls DurableObjectStore makes. */
export interface DurableObjectStorageLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(options: { prefix: string }): Promise<Map<string, unknown>>;
}

export interface DurableObjectIdLike {
  equals(other: DurableObjectIdLike): boolean;
}

export interface DurableObjectStateLike {
  readonly id: DurableObjectIdLike;
  readonly storage: DurableObjectStorageLike;
}

export interface DurableObjectNamespaceLike {
  idFromName(name: string): DurableObjectIdLike;
  get(id: DurableObjectIdLike): { fetch(request: Request): Promise<Response> };
}

/** The server end of a WebSocketPair, as workerd has it: accept() before use. */
export interface WorkerWebSocket {
  accept(): void;
  binaryType: string;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
  readonly protocol?: string | null;
  addEventListener(type: 'message' | 'close' | 'error', listener: (event: Event) => void): void;
}

export interface WorkerdGlobals {
  WebSocketPair: new () => { 0: unknown; 1: WorkerWebSocket };
}
