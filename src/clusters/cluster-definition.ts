// A cluster as the data model declares it (spec "Cluster" in the Data Model): its id, its attributes (id and value
// type), and its commands (id, request fields, and the response command the server answers with). A command
// definition encodes a request for the Interaction Model client and decodes the response, and the reverse for a
// server handler.
import { TlvFieldError, type TlvElement, type TlvStructure } from '../codec/tlv.js';
import type { FieldType, StructType } from './field-schema.js';

/** What `invoke()` of the Interaction Model needs besides the endpoint. */
export interface CommandInvocation { cluster: number; command: number; fields?: TlvElement; timed?: boolean }

/** A response command as `invoke()` returns it. */
export interface CommandResult { responseCommand?: number; fields?: TlvElement }

export interface AttributeDefinition<T = unknown> {
  readonly id: number;
  readonly name: string;
  readonly type: FieldType<T>;
  readonly writable: boolean;
}

export interface CommandDefinition<Request, Response> {
  readonly cluster: number;
  readonly id: number;
  readonly name: string;
  /** Undefined for a command without fields. */
  readonly request: StructType<Request> | undefined;
  /** The response command; undefined when the server answers with a status only. */
  readonly response: { readonly id: number; readonly name: string; readonly type: StructType<Response> } | undefined;
  /** The command must be sent in a timed invoke (spec access quality T). */
  readonly timed: boolean;
  /** The request for `invoke()`: cluster, command id and encoded fields (TypeError/RangeError naming a bad field). */
  encode(...fields: Request extends NoFields ? [] | [Request] : [Request]): CommandInvocation;
  /** The server side: the request's fields from TLV (TlvFieldError / ConstraintError naming the field). */
  decodeRequest(fields: TlvElement | undefined): Request;
  /** The client side: the response command's fields from what invoke() returned. */
  decodeResponse(result: CommandResult): Response;
  /** The server side: a response command (id and fields) for a handler to return. */
  encodeResponse(fields: Response): { command: number; fields: TlvStructure };
}

type NoFields = Record<string, never>;

export function defineCommand<Request = NoFields, Response = undefined>(cluster: number, id: number, name: string,
  options: { request?: StructType<Request>; response?: { id: number; name: string; type: StructType<Response> }; timed?: boolean } = {},
): CommandDefinition<Request, Response> {
  const { request, response, timed = false } = options;
  return {
    cluster, id, name, request, response, timed,
    encode(...args) {
      const encoded = request === undefined ? undefined : request.encode(args[0] as Request, 'fields');
      return { cluster, command: id, ...(encoded ? { fields: encoded } : {}), ...(timed ? { timed } : {}) };
    },
    decodeRequest(fields) {
      if (request === undefined) return {} as Request;
      if (fields === undefined) throw new TlvFieldError(name, 'the command fields are missing');
      return request.decode(fields, name);
    },
    decodeResponse(result) {
      if (response === undefined) return undefined as Response;
      if (result.responseCommand !== response.id) {
        throw new TlvFieldError(response.name, `expected response command 0x${response.id.toString(16)}, got ${result.responseCommand === undefined ? 'a status' : `0x${result.responseCommand.toString(16)}`}`);
      }
      if (result.fields === undefined) throw new TlvFieldError(response.name, 'the response fields are missing');
      return response.type.decode(result.fields, response.name);
    },
    encodeResponse(fields) {
      if (response === undefined) throw new TypeError(`${name} has no response command`);
      return { command: response.id, fields: response.type.encode(fields, 'response') as TlvStructure };
    },
  };
}

export function attribute<T>(id: number, name: string, type: FieldType<T>, writable = false): AttributeDefinition<T> {
  return { id, name, type, writable };
}

type AnyCommand = CommandDefinition<any, any>;

/** `{ armFailSafe: (fields) => invocation, ... }`: one request encoder per command, named as the command. */
export function commandEncoders<C extends Record<string, AnyCommand>>(commands: C): { [K in keyof C]: C[K]['encode'] } {
  return Object.fromEntries(Object.entries(commands).map(([key, command]) => [key, command.encode])) as { [K in keyof C]: C[K]['encode'] };
}
