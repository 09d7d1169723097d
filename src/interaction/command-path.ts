// CommandPathIB (spec "CommandPathIB"): a TLV *list* {0 endpoint (omitted only for group invokes), 1 cluster,
// 2 command}. It names the command in CommandDataIB and CommandStatusIB.
import { TlvFieldError, TlvFields, tlv, type TlvElement, type TlvList, type TlvTagArgument } from '../codec/tlv.js';
import { definedOnly } from './defined-only.js';

export interface CommandPath {
  /** uint16; omitted only in a group invoke. */
  endpoint?: number;
  /** uint32. */
  cluster: number;
  /** uint32. */
  command: number;
}

const PATH_TAG = { endpoint: 0, cluster: 1, command: 2 } as const;

export function encodeCommandPath(path: CommandPath, name: string, tag?: TlvTagArgument): TlvList {
  if (typeof path !== 'object' || path === null) throw new TypeError(`${name}: expected an object, got ${String(path)}`);
  if (path.endpoint !== undefined) checkUint(path.endpoint, 0xffff, `${name}.endpoint`);
  checkUint(path.cluster, 0xffffffff, `${name}.cluster`);
  checkUint(path.command, 0xffffffff, `${name}.command`);
  return tlv.list([
    path.endpoint === undefined ? undefined : tlv.uint(path.endpoint, PATH_TAG.endpoint),
    tlv.uint(path.cluster, PATH_TAG.cluster),
    tlv.uint(path.command, PATH_TAG.command),
  ], tag);
}

export function decodeCommandPath(element: TlvElement, name: string): CommandPath {
  if (element.type !== 'list') throw new TlvFieldError(name, `expected a list (CommandPathIB), got ${element.type}`);
  // Each CommandPathIB tag appears at most once, so the list reads like a structure.
  const fields = new TlvFields({ type: 'struct', elements: element.elements }, name);
  return definedOnly({
    endpoint: fields.optionalUint(PATH_TAG.endpoint, 16),
    cluster: fields.uint(PATH_TAG.cluster, 32),
    command: fields.uint(PATH_TAG.command, 32),
  });
}

export function checkUint(value: unknown, max: number, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name}: expected an integer from 0 to ${max}, got ${String(value)}`);
  }
}
