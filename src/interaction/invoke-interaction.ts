// The messages of an Invoke interaction (spec "Invoke Interaction"; connectedhomeip MessageDef/InvokeRequestMessage,
// InvokeResponseMessage): InvokeRequest {0 SuppressResponse, 1 TimedRequest, 2 [CommandDataIB]} and
// InvokeResponse {0 SuppressResponse, 1 [InvokeResponseIB], 2 MoreChunkedMessages}. A CommandDataIB is
// {0 CommandPathIB, 1 CommandFields, 2 CommandRef}; an InvokeResponseIB holds either a response CommandDataIB (tag 0)
// or a CommandStatusIB {0 path, 1 StatusIB, 2 CommandRef} (tag 1).
import { TlvFieldError, TlvFields, decodeTlv, encodeTlv, tlv, type TlvElement } from '../codec/tlv.js';
import { checkUint, decodeCommandPath, encodeCommandPath, type CommandPath } from './command-path.js';
import { definedOnly } from './defined-only.js';
import { INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG } from './opcodes.js';
import { decodeStatusIB, encodeStatusIB, type StatusIB } from './status-ib.js';

/** CommandDataIB: a command (request or response) with its fields. */
export interface CommandData {
  path: CommandPath;
  /** The command's fields, untagged (usually a structure); absent for commands without fields. */
  fields?: TlvElement;
  /** uint16; required (and distinct) when one request carries several commands. */
  ref?: number;
}

/** CommandStatusIB: the status a command ended with, when it has no response command (or failed). */
export interface CommandStatus { path: CommandPath; status: StatusIB; ref?: number }

/** One InvokeResponseIB: exactly one of a response command and a status. */
export type InvokeResponseEntry = { command: CommandData; status?: undefined } | { status: CommandStatus; command?: undefined };

export interface InvokeRequest {
  /** The client wants no InvokeResponse (default false). */
  suppressResponse?: boolean;
  /** This request follows a TimedRequest on the same exchange (default false). */
  timedRequest?: boolean;
  commands: readonly CommandData[];
}

export interface InvokeResponse {
  suppressResponse?: boolean;
  responses: InvokeResponseEntry[];
  /** More InvokeResponse messages follow on this exchange. */
  moreChunkedMessages?: boolean;
}

const REQUEST_TAG = { suppressResponse: 0, timedRequest: 1, invokeRequests: 2 } as const;
const RESPONSE_TAG = { suppressResponse: 0, invokeResponses: 1, moreChunkedMessages: 2 } as const;
const COMMAND_DATA_TAG = { path: 0, fields: 1, ref: 2 } as const;
const RESPONSE_IB_TAG = { command: 0, status: 1 } as const;
const COMMAND_STATUS_TAG = { path: 0, status: 1, ref: 2 } as const;

const imRevision = () => tlv.uint(INTERACTION_MODEL_REVISION, INTERACTION_MODEL_REVISION_TAG);

function optionalBool(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${name}: expected a boolean, got ${typeof value}`);
  return value;
}

function encodeCommandData(data: CommandData, name: string, tag?: number): TlvElement {
  if (typeof data !== 'object' || data === null) throw new TypeError(`${name}: expected an object, got ${String(data)}`);
  if (data.ref !== undefined) checkUint(data.ref, 0xffff, `${name}.ref`);
  if (data.fields !== undefined && (typeof data.fields !== 'object' || data.fields === null || !('type' in data.fields))) {
    throw new TypeError(`${name}.fields: expected a TLV element, got ${String(data.fields)}`);
  }
  return tlv.struct([
    encodeCommandPath(data.path, `${name}.path`, COMMAND_DATA_TAG.path),
    data.fields === undefined ? undefined : { ...data.fields, tag: { context: COMMAND_DATA_TAG.fields } },
    data.ref === undefined ? undefined : tlv.uint(data.ref, COMMAND_DATA_TAG.ref),
  ], tag);
}

function decodeCommandData(element: TlvElement, name: string): CommandData {
  const fields = new TlvFields(element, name);
  const value = fields.optionalElement(COMMAND_DATA_TAG.fields);
  return definedOnly({
    path: decodeCommandPath(fields.element(COMMAND_DATA_TAG.path), `${name}.path`),
    fields: value === undefined ? undefined : untagged(value),
    ref: fields.optionalUint(COMMAND_DATA_TAG.ref, 16),
  });
}

export function encodeInvokeRequest(request: InvokeRequest): Uint8Array {
  if (typeof request !== 'object' || request === null) throw new TypeError(`request: expected an object, got ${String(request)}`);
  const { commands } = request;
  if (!Array.isArray(commands) || commands.length === 0) {
    throw new RangeError(`request.commands: expected at least one command, got ${Array.isArray(commands) ? 'none' : typeof commands}`);
  }
  return encodeTlv(tlv.struct([
    tlv.bool(optionalBool(request.suppressResponse, 'request.suppressResponse'), REQUEST_TAG.suppressResponse),
    tlv.bool(optionalBool(request.timedRequest, 'request.timedRequest'), REQUEST_TAG.timedRequest),
    tlv.array(commands.map((c, i) => encodeCommandData(c, `request.commands[${i}]`)), REQUEST_TAG.invokeRequests),
    imRevision(),
  ]));
}

/** Decodes an InvokeRequest; MalformedTlvError for bytes that are not TLV, TlvFieldError naming the field otherwise. */
export function decodeInvokeRequest(bytes: Uint8Array): Required<Omit<InvokeRequest, 'commands'>> & { commands: CommandData[] } {
  const fields = new TlvFields(decodeTlv(bytes), 'InvokeRequest');
  return {
    suppressResponse: fields.bool(REQUEST_TAG.suppressResponse),
    timedRequest: fields.bool(REQUEST_TAG.timedRequest),
    commands: fields.array(REQUEST_TAG.invokeRequests)
      .map((c, i) => decodeCommandData(c, `InvokeRequest.InvokeRequests[${i}]`)),
  };
}

export function encodeInvokeResponse(response: InvokeResponse): Uint8Array {
  if (typeof response !== 'object' || response === null || !Array.isArray(response.responses)) {
    throw new TypeError('response.responses: expected an array of InvokeResponseIBs');
  }
  const entries = response.responses.map((entry, i) => {
    const name = `response.responses[${i}]`;
    if (typeof entry !== 'object' || entry === null || (entry.command === undefined) === (entry.status === undefined)) {
      throw new TypeError(`${name}: expected exactly one of command and status`);
    }
    if (entry.command !== undefined) return tlv.struct([encodeCommandData(entry.command, `${name}.command`, RESPONSE_IB_TAG.command)]);
    const status = entry.status;
    if (status.ref !== undefined) checkUint(status.ref, 0xffff, `${name}.status.ref`);
    return tlv.struct([tlv.struct([
      encodeCommandPath(status.path, `${name}.status.path`, COMMAND_STATUS_TAG.path),
      encodeStatusIB(status.status, `${name}.status.status`, COMMAND_STATUS_TAG.status),
      status.ref === undefined ? undefined : tlv.uint(status.ref, COMMAND_STATUS_TAG.ref),
    ], RESPONSE_IB_TAG.status)]);
  });
  return encodeTlv(tlv.struct([
    tlv.bool(optionalBool(response.suppressResponse, 'response.suppressResponse'), RESPONSE_TAG.suppressResponse),
    tlv.array(entries, RESPONSE_TAG.invokeResponses),
    optionalBool(response.moreChunkedMessages, 'response.moreChunkedMessages')
      ? tlv.bool(true, RESPONSE_TAG.moreChunkedMessages) : undefined,
    imRevision(),
  ]));
}

/** Decodes an InvokeResponse (one chunk of it when MoreChunkedMessages is set). Errors as decodeInvokeRequest's. */
export function decodeInvokeResponse(bytes: Uint8Array): InvokeResponse & { suppressResponse: boolean; moreChunkedMessages: boolean } {
  const fields = new TlvFields(decodeTlv(bytes), 'InvokeResponse');
  // SuppressResponse is required by the spec but meaningless in a response; a missing one is tolerated.
  const suppressResponse = fields.optionalBool(RESPONSE_TAG.suppressResponse) ?? false;
  const responses = fields.array(RESPONSE_TAG.invokeResponses).map((element, i): InvokeResponseEntry => {
    const name = `InvokeResponse.InvokeResponses[${i}]`;
    const entry = new TlvFields(element, name);
    const command = entry.optionalElement(RESPONSE_IB_TAG.command);
    const status = entry.optionalElement(RESPONSE_IB_TAG.status);
    if ((command === undefined) === (status === undefined)) {
      throw new TlvFieldError(name, 'expected exactly one of Command (tag 0) and Status (tag 1)');
    }
    if (command !== undefined) return { command: decodeCommandData(command, `${name}.Command`) };
    const statusFields = new TlvFields(status as TlvElement, `${name}.Status`);
    return {
      status: definedOnly({
        path: decodeCommandPath(statusFields.element(COMMAND_STATUS_TAG.path), `${name}.Status.path`),
        status: decodeStatusIB(statusFields.element(COMMAND_STATUS_TAG.status), `${name}.Status.${COMMAND_STATUS_TAG.status}`),
        ref: statusFields.optionalUint(COMMAND_STATUS_TAG.ref, 16),
      }),
    };
  });
  return { suppressResponse, responses, moreChunkedMessages: fields.optionalBool(RESPONSE_TAG.moreChunkedMessages) ?? false };
}

function untagged(element: TlvElement): TlvElement {
  const copy = { ...element };
  delete copy.tag;
  return copy;
}
