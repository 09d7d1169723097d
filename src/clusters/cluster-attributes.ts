// Attributes by their cluster definition: typed values served by the InteractionServer, and typed reads and writes
// for the client (the value decoded or encoded by the attribute's declared type, spec "Data Types").
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import type { SecureSession } from '../session/secure-session.js';
import { readAttribute } from '../interaction/read-client.js';
import { writeAttribute, type WriteOptions } from '../interaction/write-client.js';
import type { ServedAttribute } from '../interaction/interaction-server.js';
import type { AttributeDefinition } from './cluster-definition.js';

type Attributes = Record<string, AttributeDefinition<any>>;
type ValueOf<A> = A extends AttributeDefinition<infer T> ? T : never;

/**
 * The InteractionServer's attribute table for a cluster from typed initial values, e.g.
 * `serveAttributes(OnOffCluster, { onOff: false })`. Writable attributes (per the definition) accept writes of a
 * value their type decodes (else INVALID_DATA_TYPE / CONSTRAINT_ERROR).
 */
export function serveAttributes<A extends Attributes>(cluster: { attributes: A },
  values: { [K in keyof A]?: ValueOf<A[K]> }): Record<number, ServedAttribute> {
  const served: Record<number, ServedAttribute> = {};
  for (const [key, value] of Object.entries(values)) {
    const definition = cluster.attributes[key];
    if (!definition) throw new RangeError(`values.${key}: not an attribute of this cluster`);
    if (value === undefined) continue;
    served[definition.id] = {
      value: definition.type.encode(value, `values.${key}`),
      ...(definition.writable ? { writable: true, validate: (v) => { definition.type.decode(v, definition.name); } } : {}),
    };
  }
  return served;
}

/** Reads one attribute and decodes it by its definition (TlvFieldError / ConstraintError if the device sent junk). */
export async function readClusterAttribute<T>(exchanges: ExchangeManager, session: SecureSession, endpoint: number,
  cluster: { id: number }, attribute: AttributeDefinition<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  const value = await readAttribute(exchanges, session, { endpoint, cluster: cluster.id, attribute: attribute.id }, options);
  return attribute.type.decode(value, attribute.name);
}

/** Writes one attribute, encoded by its definition; rejects with InteractionStatusError unless it succeeded. */
export async function writeClusterAttribute<T>(exchanges: ExchangeManager, session: SecureSession, endpoint: number,
  cluster: { id: number }, attribute: AttributeDefinition<T>, value: T, options: WriteOptions & { dataVersion?: number } = {}): Promise<void> {
  const encoded = attribute.type.encode(value, 'value');
  await writeAttribute(exchanges, session, {
    endpoint, cluster: cluster.id, attribute: attribute.id, value: encoded,
    ...(options.dataVersion === undefined ? {} : { dataVersion: options.dataVersion }),
  }, options);
}
