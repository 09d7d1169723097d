// The server side of the Interaction Model (spec chapter 8: Read, Write, Invoke, Timed and Subscribe interactions)
// over a table of endpoints -> clusters -> attributes and commands. What a device (or the edge) serves is declared
// here; every request path gets the status the spec gives it (UNSUPPORTED_ENDPOINT / _CLUSTER / _ATTRIBUTE /
// _COMMAND, UNSUPPORTED_WRITE, NEEDS_TIMED_INTERACTION, DATA_VERSION_MISMATCH, CONSTRAINT_ERROR, ...).
//
// Access control is one hook, `authorize(context, path, privilege)` (default: allow), so an ACL can be added
// without touching the server. Subscriptions live in ServerSubscriptions; this file answers requests.
import { MalformedTlvError, TlvFieldError, type TlvElement } from '../codec/tlv.js';
import type { Exchange, ExchangeMessage } from '../protocol/exchange.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import { SecureSession } from '../session/secure-session.js';
import type { AttributePath } from './attribute-path.js';
import { interactionDispatcher } from './interaction-dispatcher.js';
import { nextInteraction, sendInteraction, sendStatus } from './interaction-exchange.js';
import { InteractionStatusError } from './interaction-status-error.js';
import {
  decodeInvokeRequest, encodeInvokeResponse, type CommandData, type InvokeResponseEntry,
} from './invoke-interaction.js';
import { InteractionOpcode } from './opcodes.js';
import { decodeReadRequest, decodeStatusResponse, encodeReportData, type AttributeReport } from './read-interaction.js';
import { chunkReports, REPORT_PAYLOAD_BUDGET } from './report-chunks.js';
import { ServerSubscriptions, type ServerSubscriptionOptions } from './server-subscriptions.js';
import { InteractionModelStatus as Status } from './status-codes.js';
import { decodeTimedRequest } from './timed-request.js';
import { decodeWriteRequest, encodeWriteResponse, type AttributeWrite, type AttributeWriteStatus } from './write-interaction.js';

/** Access privileges (spec "Access Control Privileges"), weakest first. */
export type Privilege = 'view' | 'operate' | 'manage' | 'administer';

/** Who is asking, and how: what handlers and the `authorize` hook see. */
export interface InteractionContext {
  session: SecureSession;
  /** The session's fabric (undefined on a PASE session before AddNOC). */
  fabricIndex: number | undefined;
  /** The subject: the peer's operational node id on CASE; 0 on PASE (its passcode id). */
  subject: bigint;
  caseAuthenticatedTags: readonly number[];
  authMode: 'pase' | 'case';
  /** The request followed a TimedRequest on its exchange, in time. */
  timed: boolean;
}

/** The path an `authorize` call concerns: an attribute or a command. */
export type AccessPath =
  | { endpoint: number; cluster: number; attribute: number; command?: undefined }
  | { endpoint: number; cluster: number; command: number; attribute?: undefined };

/** Returns false (or a status code) to refuse; false means UNSUPPORTED_ACCESS. */
export type Authorize = (context: InteractionContext, path: AccessPath, privilege: Privilege) => boolean | number;

export interface ServedAttribute {
  /** The value (untagged TLV), or a function computing it on each read. */
  value: TlvElement | ((context: InteractionContext | undefined) => TlvElement);
  /** Writes store the new value (a `write` handler makes the attribute writable too). */
  writable?: boolean;
  /** Called with the new value after the checks; may throw InteractionStatusError (e.g. ConstraintError). */
  write?: (value: TlvElement, context: InteractionContext) => void | Promise<void>;
  /** Checks a value before write (throw ConstraintError / InteractionStatusError to refuse it). */
  validate?: (value: TlvElement) => void;
  /** Writes must be timed (spec quality T). */
  timed?: boolean;
  readPrivilege?: Privilege;
  writePrivilege?: Privilege;
}

/** A handler's answer: nothing (Success), or a response command with its fields. */
export type CommandReply = void | undefined | { command: number; fields?: TlvElement };

export interface ServedCommand {
  /** Receives the command's fields (untagged; undefined when it has none). Throw InteractionStatusError for a status. */
  handler: (fields: TlvElement | undefined, context: InteractionContext) => CommandReply | Promise<CommandReply>;
  /** Must be invoked in a timed interaction (spec quality T). */
  timed?: boolean;
  /** Default 'operate'. */
  privilege?: Privilege;
}

export interface ServedCluster {
  attributes?: Record<number, ServedAttribute>;
  commands?: Record<number, ServedCommand>;
}

export interface InteractionServerOptions {
  authorize?: Authorize;
  /** Commands accepted in one InvokeRequest (default 16). */
  maxPathsPerInvoke?: number;
  subscriptions?: ServerSubscriptionOptions;
  /** Told about errors thrown by handlers (other than InteractionStatusError). */
  onHandlerError?: (error: unknown) => void;
}

interface ClusterState {
  dataVersion: number;
  attributes: Map<number, ServedAttribute>;
  commands: Map<number, ServedCommand>;
}

const allow: Authorize = () => true;

export class InteractionServer {
  readonly #endpoints = new Map<number, Map<number, ClusterState>>();
  readonly #authorize: Authorize;
  readonly #maxPathsPerInvoke: number;
  readonly #onHandlerError: ((error: unknown) => void) | undefined;
  readonly subscriptions: ServerSubscriptions;

  constructor(readonly exchanges: ExchangeManager, options: InteractionServerOptions = {}) {
    this.#authorize = options.authorize ?? allow;
    this.#maxPathsPerInvoke = options.maxPathsPerInvoke ?? 16;
    this.#onHandlerError = options.onHandlerError;
    this.subscriptions = new ServerSubscriptions(exchanges, {
      reportsFor: (path, context, filters) => this.#reportsFor(path, context, filters),
      reportFor: (endpoint, cluster, attribute, context) => this.#reportsFor({ endpoint, cluster, attribute }, context),
    }, options.subscriptions);
    interactionDispatcher(exchanges).server = (exchange, first) => this.#handle(exchange, first);
  }

  // ---- the table ----------------------------------------------------------------------------------------------

  /** Serves a cluster on an endpoint (replacing one already there). Its data version starts at a random value. */
  addCluster(endpoint: number, cluster: number, definition: ServedCluster): void {
    if (!Number.isInteger(endpoint) || endpoint < 0 || endpoint > 0xfffe) throw new RangeError(`endpoint: expected 0 to 65534, got ${String(endpoint)}`);
    if (!Number.isInteger(cluster) || cluster < 0 || cluster > 0xffffffff) throw new RangeError(`cluster: expected a uint32, got ${String(cluster)}`);
    checkDefinition(definition);
    let clusters = this.#endpoints.get(endpoint);
    if (!clusters) this.#endpoints.set(endpoint, (clusters = new Map()));
    clusters.set(cluster, {
      dataVersion: crypto.getRandomValues(new Uint32Array(1))[0]!,
      attributes: new Map(Object.entries(definition.attributes ?? {}).map(([id, a]) => [Number(id), a])),
      commands: new Map(Object.entries(definition.commands ?? {}).map(([id, c]) => [Number(id), c])),
    });
  }

  /** The cluster's current data version (spec "DataVersion"), or undefined if it is not served. */
  dataVersion(endpoint: number, cluster: number): number | undefined {
    return this.#endpoints.get(endpoint)?.get(cluster)?.dataVersion;
  }

  /** The attribute's current value. */
  getAttribute(endpoint: number, cluster: number, attribute: number): TlvElement | undefined {
    const served = this.#endpoints.get(endpoint)?.get(cluster)?.attributes.get(attribute);
    if (!served) return undefined;
    return typeof served.value === 'function' ? served.value(undefined) : served.value;
  }

  /**
   * Sets a stored attribute value: the cluster's data version moves on and subscriptions covering it report the
   * change (no sooner than their MinInterval). Throws if the attribute is not served.
   */
  setAttribute(endpoint: number, cluster: number, attribute: number, value: TlvElement): void {
    const served = this.#served(endpoint, cluster, attribute);
    served.value = value;
    this.attributeChanged(endpoint, cluster, attribute);
  }

  /** For attributes computed by a function: their value changed (new data version, subscriptions report it). */
  attributeChanged(endpoint: number, cluster: number, attribute: number): void {
    const state = this.#endpoints.get(endpoint)?.get(cluster);
    if (!state?.attributes.has(attribute)) throw new RangeError(`attribute ${endpoint}/0x${cluster.toString(16)}/${attribute} is not served`);
    state.dataVersion = (state.dataVersion + 1) >>> 0;
    this.subscriptions.markDirty(endpoint, cluster, attribute);
  }

  /** Stops every subscription's timers (the exchanges stay with their manager). */
  close(): void {
    this.subscriptions.close();
  }

  #served(endpoint: number, cluster: number, attribute: number): ServedAttribute {
    const served = this.#endpoints.get(endpoint)?.get(cluster)?.attributes.get(attribute);
    if (!served) throw new RangeError(`attribute ${endpoint}/0x${cluster.toString(16)}/${attribute} is not served`);
    return served;
  }

  #check(context: InteractionContext | undefined, path: AccessPath, privilege: Privilege): number | undefined {
    if (!context) return undefined;
    const verdict = this.#authorize(context, path, privilege);
    if (verdict === true) return undefined;
    return verdict === false ? Status.unsupportedAccess : verdict;
  }

  // ---- reads (and the reports of subscriptions) ------------------------------------------------------------------

  #reportsFor(path: AttributePath, context: InteractionContext | undefined,
    filters?: ReadonlyMap<string, number>): AttributeReport[] {
    const wildcard = path.endpoint === undefined || path.cluster === undefined || path.attribute === undefined;
    const reports: AttributeReport[] = [];
    const status = (p: AttributePath, code: number) => { if (!wildcard) reports.push({ path: p, status: { status: code } }); };
    for (const endpoint of path.endpoint === undefined ? [...this.#endpoints.keys()] : [path.endpoint]) {
      const clusters = this.#endpoints.get(endpoint);
      if (!clusters) { status(path, Status.unsupportedEndpoint); continue; }
      for (const cluster of path.cluster === undefined ? [...clusters.keys()] : [path.cluster]) {
        const state = clusters.get(cluster);
        if (!state) { status(path, Status.unsupportedCluster); continue; }
        if (filters?.get(`${endpoint}/${cluster}`) === state.dataVersion) continue;
        for (const attribute of path.attribute === undefined ? [...state.attributes.keys()] : [path.attribute]) {
          const concrete = { endpoint, cluster, attribute };
          const served = state.attributes.get(attribute);
          if (!served) { status(concrete, Status.unsupportedAttribute); continue; }
          const refused = this.#check(context, concrete, served.readPrivilege ?? 'view');
          if (refused !== undefined) { status(concrete, refused); continue; }
          let data: TlvElement;
          try {
            data = typeof served.value === 'function' ? served.value(context) : served.value;
          } catch (error) {
            // A computed value that fails is that attribute's status, even inside a wildcard: the rest still reads.
            if (!(error instanceof InteractionStatusError)) this.#onHandlerError?.(error);
            reports.push({ path: concrete, status: error instanceof InteractionStatusError
              ? { status: error.status, ...(error.clusterStatus === undefined ? {} : { clusterStatus: error.clusterStatus }) }
              : { status: Status.failure } });
            continue;
          }
          reports.push({ path: concrete, dataVersion: state.dataVersion, data });
        }
      }
    }
    return reports;
  }

  // ---- requests --------------------------------------------------------------------------------------------------

  #context(session: SecureSession, timed: boolean): InteractionContext {
    return {
      session, fabricIndex: session.fabricIndex, subject: session.kind === 'pase' ? 0n : session.peerNodeId,
      caseAuthenticatedTags: session.caseAuthenticatedTags, authMode: session.kind, timed,
    };
  }

  async #handle(exchange: Exchange, first: ExchangeMessage): Promise<void> {
    try {
      // Spec: the Interaction Model runs on secure sessions only.
      if (!(exchange.session instanceof SecureSession)) return;
      const session = exchange.session;
      try {
        await this.#request(exchange, session, first);
      } catch (error) {
        if (!(error instanceof MalformedTlvError || error instanceof TlvFieldError)) throw error;
        await sendStatus(exchange, Status.invalidAction);
      }
    } finally {
      await exchange.close();
    }
  }

  async #request(exchange: Exchange, session: SecureSession, message: ExchangeMessage): Promise<void> {
    switch (message.opcode) {
      case InteractionOpcode.readRequest:
        return this.#read(exchange, session, message);
      case InteractionOpcode.subscribeRequest:
        return this.subscriptions.handleRequest(exchange, this.#context(session, false), message.payload);
      case InteractionOpcode.invokeRequest:
        return this.#invoke(exchange, session, message, undefined);
      case InteractionOpcode.writeRequest:
        return this.#write(exchange, session, message, undefined);
      case InteractionOpcode.timedRequest:
        return this.#timed(exchange, session, message);
      default:
        await sendStatus(exchange, Status.invalidAction);
    }
  }

  async #read(exchange: Exchange, session: SecureSession, message: ExchangeMessage): Promise<void> {
    const request = decodeReadRequest(message.payload);
    const context = this.#context(session, false);
    const reports = request.paths.flatMap((path) => this.#reportsFor(path, context));
    const chunks = chunkReports(reports, REPORT_PAYLOAD_BUDGET);
    for (const [i, chunk] of chunks.entries()) {
      const last = i === chunks.length - 1;
      // The last chunk carries SuppressResponse, as matter.js and the SDK end a Read: the client only acknowledges it.
      await sendInteraction(exchange, InteractionOpcode.reportData,
        encodeReportData({ attributeReports: chunk, moreChunkedMessages: !last, suppressResponse: last }));
      if (!last && !(await this.#clientSaidSuccess(exchange))) return;
    }
  }

  async #clientSaidSuccess(exchange: Exchange): Promise<boolean> {
    const answer = await nextInteraction(exchange, 30_000, 'report');
    return answer.opcode === InteractionOpcode.statusResponse && decodeStatusResponse(answer.payload) === Status.success;
  }

  /** TimedRequest: Success, then the Write or Invoke it announces must come with its TimedRequest flag, in time. */
  async #timed(exchange: Exchange, session: SecureSession, message: ExchangeMessage): Promise<void> {
    const timeoutMs = decodeTimedRequest(message.payload);
    const deadline = Date.now() + timeoutMs;
    await sendStatus(exchange, Status.success);
    let action: ExchangeMessage;
    try {
      action = await nextInteraction(exchange, timeoutMs + 1000, 'timed action');
    } catch {
      return; // the action never came: the timed interaction simply lapses
    }
    if (Date.now() > deadline) return sendStatus(exchange, Status.timeout);
    if (action.opcode === InteractionOpcode.invokeRequest) return this.#invoke(exchange, session, action, deadline);
    if (action.opcode === InteractionOpcode.writeRequest) return this.#write(exchange, session, action, deadline);
    return sendStatus(exchange, Status.invalidAction);
  }

  async #invoke(exchange: Exchange, session: SecureSession, message: ExchangeMessage, deadline: number | undefined): Promise<void> {
    const request = decodeInvokeRequest(message.payload);
    // Spec "Timed Interaction": the flag must say whether a TimedRequest came first on this exchange.
    if (request.timedRequest !== (deadline !== undefined)) return sendStatus(exchange, Status.timedRequestMismatch);
    const { commands } = request;
    if (commands.length === 0 || commands.length > this.#maxPathsPerInvoke || !distinctCommands(commands)) {
      return sendStatus(exchange, Status.invalidAction);
    }
    const context = this.#context(session, deadline !== undefined);
    const responses: InvokeResponseEntry[] = [];
    for (const command of commands) responses.push(await this.#runCommand(command, context));
    if (request.suppressResponse) return;
    const chunks = chunkInvokeResponses(responses);
    for (const [i, chunk] of chunks.entries()) {
      const last = i === chunks.length - 1;
      await sendInteraction(exchange, InteractionOpcode.invokeResponse,
        encodeInvokeResponse({ responses: chunk, moreChunkedMessages: !last }));
      if (!last && !(await this.#clientSaidSuccess(exchange))) return;
    }
  }

  async #runCommand(command: CommandData, context: InteractionContext): Promise<InvokeResponseEntry> {
    const path = command.path;
    const ref = command.ref === undefined ? {} : { ref: command.ref };
    const status = (code: number, clusterStatus?: number): InvokeResponseEntry => ({
      status: { path, status: clusterStatus === undefined ? { status: code } : { status: code, clusterStatus }, ...ref },
    });
    const clusters = this.#endpoints.get(path.endpoint!);
    if (!clusters) return status(Status.unsupportedEndpoint);
    const state = clusters.get(path.cluster);
    if (!state) return status(Status.unsupportedCluster);
    const served = state.commands.get(path.command);
    if (!served) return status(Status.unsupportedCommand);
    const refused = this.#check(context, { endpoint: path.endpoint!, cluster: path.cluster, command: path.command },
      served.privilege ?? 'operate');
    if (refused !== undefined) return status(refused);
    if (served.timed && !context.timed) return status(Status.needsTimedInteraction);
    try {
      const reply = await served.handler(command.fields, context);
      if (!reply) return status(Status.success);
      return { command: { path: { endpoint: path.endpoint, cluster: path.cluster, command: reply.command },
        ...(reply.fields === undefined ? {} : { fields: reply.fields }), ...ref } };
    } catch (error) {
      if (error instanceof InteractionStatusError) return status(error.status, error.clusterStatus);
      if (error instanceof TlvFieldError || error instanceof MalformedTlvError) return status(Status.invalidCommand);
      this.#onHandlerError?.(error);
      return status(Status.failure);
    }
  }

  async #write(exchange: Exchange, session: SecureSession, message: ExchangeMessage, deadline: number | undefined): Promise<void> {
    let request = decodeWriteRequest(message.payload);
    if (request.timedRequest !== (deadline !== undefined)) return sendStatus(exchange, Status.timedRequestMismatch);
    const context = this.#context(session, deadline !== undefined);
    for (;;) {
      const statuses: AttributeWriteStatus[] = [];
      for (const write of request.writes) statuses.push(await this.#writeOne(write, context));
      if (!request.suppressResponse) await sendInteraction(exchange, InteractionOpcode.writeResponse, encodeWriteResponse(statuses));
      if (!request.moreChunkedMessages) return;
      // A chunked write: the next WriteRequest of the same interaction comes on this exchange.
      const next = await nextInteraction(exchange, 30_000, 'chunked write');
      if (next.opcode !== InteractionOpcode.writeRequest) return sendStatus(exchange, Status.invalidAction);
      request = decodeWriteRequest(next.payload);
    }
  }

  async #writeOne(write: AttributeWrite, context: InteractionContext): Promise<AttributeWriteStatus> {
    const { path } = write;
    const result = (code: number, clusterStatus?: number): AttributeWriteStatus =>
      ({ path, status: clusterStatus === undefined ? { status: code } : { status: code, clusterStatus } });
    // Writes name one attribute: wildcards are for group writes only.
    if (path.endpoint === undefined || path.cluster === undefined || path.attribute === undefined) return result(Status.invalidAction);
    const state = this.#endpoints.get(path.endpoint)?.get(path.cluster);
    if (!this.#endpoints.has(path.endpoint)) return result(Status.unsupportedEndpoint);
    if (!state) return result(Status.unsupportedCluster);
    const served = state.attributes.get(path.attribute);
    if (!served) return result(Status.unsupportedAttribute);
    const concrete = { endpoint: path.endpoint, cluster: path.cluster, attribute: path.attribute };
    const refused = this.#check(context, concrete, served.writePrivilege ?? 'operate');
    if (refused !== undefined) return result(refused);
    if (!served.writable && !served.write) return result(Status.unsupportedWrite);
    if (served.timed && !context.timed) return result(Status.needsTimedInteraction);
    if (write.dataVersion !== undefined && write.dataVersion !== state.dataVersion) return result(Status.dataVersionMismatch);
    let value = write.data;
    if (path.listIndex === null) {
      // Appending one item to a list (spec: ListIndex null in a write): the new value is the old list plus the item.
      const current = typeof served.value === 'function' ? served.value(context) : served.value;
      if (current.type !== 'array') return result(Status.invalidDataType);
      value = { type: 'array', elements: [...current.elements, write.data] };
    } else if (path.listIndex !== undefined) {
      return result(Status.invalidAction);
    }
    try {
      served.validate?.(value);
      await served.write?.(value, context);
    } catch (error) {
      if (error instanceof InteractionStatusError) return result(error.status, error.clusterStatus);
      if (error instanceof TlvFieldError || error instanceof MalformedTlvError) return result(Status.invalidDataType);
      this.#onHandlerError?.(error);
      return result(Status.failure);
    }
    if (typeof served.value !== 'function') served.value = value;
    this.attributeChanged(path.endpoint, path.cluster, path.attribute);
    return result(Status.success);
  }
}

/** A cluster definition is `{ attributes?, commands? }`, each keyed by id; anything else is refused, naming it. */
function checkDefinition(definition: ServedCluster): void {
  if (typeof definition !== 'object' || definition === null) throw new TypeError(`definition: expected an object, got ${String(definition)}`);
  for (const key of Object.keys(definition)) {
    if (key !== 'attributes' && key !== 'commands') {
      throw new TypeError(`definition.${key}: unknown member (expected { attributes?, commands? })`);
    }
  }
  for (const [id, attribute] of Object.entries(definition.attributes ?? {})) {
    if (!Number.isInteger(Number(id)) || Number(id) < 0 || Number(id) > 0xffffffff) throw new RangeError(`definition.attributes.${id}: the id is not a uint32`);
    if (typeof attribute?.value !== 'function' && (typeof attribute?.value !== 'object' || attribute.value === null || !('type' in attribute.value))) {
      throw new TypeError(`definition.attributes.${id}.value: expected a TLV element or a function`);
    }
  }
  for (const [id, command] of Object.entries(definition.commands ?? {})) {
    if (!Number.isInteger(Number(id)) || Number(id) < 0 || Number(id) > 0xffffffff) throw new RangeError(`definition.commands.${id}: the id is not a uint32`);
    if (typeof command?.handler !== 'function') throw new TypeError(`definition.commands.${id}.handler: expected a function`);
  }
}

/** Several commands in one request need distinct CommandRefs and distinct concrete paths (spec 8.8.2). */
function distinctCommands(commands: readonly CommandData[]): boolean {
  if (commands.some((c) => c.path.endpoint === undefined)) return false;
  if (commands.length === 1) return true;
  const refs = new Set<number>(), paths = new Set<string>();
  for (const { ref, path } of commands) {
    if (ref === undefined || refs.has(ref)) return false;
    const key = `${path.endpoint}/${path.cluster}/${path.command}`;
    if (paths.has(key)) return false;
    refs.add(ref);
    paths.add(key);
  }
  return true;
}

/** InvokeResponses packed into messages under the payload budget (one response per message at least). */
function chunkInvokeResponses(responses: InvokeResponseEntry[]): InvokeResponseEntry[][] {
  const chunks: InvokeResponseEntry[][] = [[]];
  for (const response of responses) {
    const current = chunks[chunks.length - 1]!;
    current.push(response);
    if (current.length > 1 && encodeInvokeResponse({ responses: current, moreChunkedMessages: true }).length > REPORT_PAYLOAD_BUDGET) {
      current.pop();
      chunks.push([response]);
    }
  }
  return chunks;
}

