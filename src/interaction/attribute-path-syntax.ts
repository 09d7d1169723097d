// The command line's attribute path: "ENDPOINT/CLUSTER/ATTRIBUTE", each a decimal or 0x-prefixed hexadecimal number,
// e.g. "0/0x28/1" for BasicInformation.VendorName on the root endpoint.

/** One attribute on one endpoint: an AttributePath without wildcards. */
export interface ConcreteAttributePath { endpoint: number; cluster: number; attribute: number }

export type AttributePathPart = 'path' | 'endpoint' | 'cluster' | 'attribute';

/** The text is not an ENDPOINT/CLUSTER/ATTRIBUTE path; `part` says which piece is wrong. */
export class InvalidAttributePathError extends Error {
  override name = 'InvalidAttributePathError';
  constructor(readonly input: string, readonly part: AttributePathPart, problem: string) {
    super(`attribute path ${JSON.stringify(input)}: ${part === 'path' ? '' : `${part}: `}${problem}`);
  }
}

const PARTS = [['endpoint', 0xffff], ['cluster', 0xffffffff], ['attribute', 0xffffffff]] as const;
const NUMBER = /^(?:[0-9]+|0[xX][0-9a-fA-F]+)$/;

export function parseAttributePath(text: string): ConcreteAttributePath {
  if (typeof text !== 'string') throw new TypeError(`attribute path: expected a string, got ${typeof text}`);
  const pieces = text.split('/');
  if (pieces.length !== PARTS.length) {
    throw new InvalidAttributePathError(text, 'path',
      `expected ENDPOINT/CLUSTER/ATTRIBUTE, got ${pieces.length} part(s)`);
  }
  const [endpoint, cluster, attribute] = PARTS.map(([part, max], i) => {
    const piece = pieces[i] as string;
    if (!NUMBER.test(piece)) {
      throw new InvalidAttributePathError(text, part,
        `expected a decimal or 0x-prefixed hexadecimal number, got ${JSON.stringify(piece)}`);
    }
    const value = Number(piece);
    if (value > max) {
      throw new InvalidAttributePathError(text, part, `${piece} is out of range (0 to 0x${max.toString(16)})`);
    }
    return value;
  }) as [number, number, number];
  return { endpoint, cluster, attribute };
}
