// A fabric's certificate authority (Matter Core spec §6.5 operational certificates, AddNOC of the Node Operational
// Credentials cluster): the root key pair and RCAC that define the fabric, an optional ICAC, and NOC issuance for
// commissioned nodes. Validity follows matter.js's CertificateAuthority (from a year before issue to ten years after,
// so a device whose clock is behind still accepts it); serial numbers and CA ids are random, so two authorities never
// collide.
import { bytesOfLength } from '../core/arguments.js';
import { generateP256KeyPair, isValidP256PublicKey, p256PublicKey, type P256KeyPair } from '../crypto/p256.js';
import { publicKeyFromCsr } from './certificate-signing-request.js';
import { signMatterCertificate } from './certificate-signer.js';
import { unsignedIntegerContent } from './der-writer.js';
import { uint64Argument } from './fabric-arguments.js';
import { keyIdentifier } from './key-identifier.js';
import { DnTag, MATTER_EPOCH_OFFSET_SECONDS, decodeMatterCertificate, type DnAttribute, type MatterCertificate } from './matter-certificate.js';
import {
  KeyPurpose, KeyUsage, MAX_CASE_AUTHENTICATED_TAGS, MAX_OPERATIONAL_NODE_ID, MIN_OPERATIONAL_NODE_ID,
  checkOperationalRole, operationalInfo,
} from './operational-certificate.js';
import { validateOperationalChain } from './operational-chain.js';

const YEAR_SECONDS = 365 * 24 * 60 * 60;
const SERIAL_BYTES = 8;

export interface FabricAuthorityOptions {
  /** Also create an ICAC and sign NOCs with it (RCAC -> ICAC -> NOC). Default false. */
  intermediate?: boolean;
  /** Write this fabric id into the RCAC (and ICAC) subject; every NOC must then carry the same. Optional. */
  fabricId?: bigint;
  /** Issue time (ms or Date), default now. */
  now?: number | Date;
}

export interface IssueNocOptions {
  /** The device's PKCS#10 request (its self-signature is checked), or the public key itself. Exactly one. */
  csr?: Uint8Array;
  publicKey?: Uint8Array;
  nodeId: bigint;
  fabricId: bigint;
  caseAuthenticatedTags?: readonly number[];
  now?: number | Date;
}

/**
 * The persisted form. **`rootPrivateKey` and `icacPrivateKey` are secrets**: whoever reads them can issue
 * certificates for every node of the fabric. Keep this object in a store only the controller can read
 * (an encrypted file, a KMS-wrapped record); this library never writes it anywhere itself.
 */
export interface FabricAuthorityJson {
  version: 1;
  /** Hex of the 32-byte root private key. Secret. */
  rootPrivateKey: string;
  /** Hex of the RCAC (Matter TLV). */
  rcac: string;
  /** Hex of the 32-byte ICAC private key, when there is an ICAC. Secret. */
  icacPrivateKey?: string;
  icac?: string;
}

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
function fromHex(name: string, value: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(value)) {
    throw new TypeError(`${name}: expected a hex string`);
  }
  return Uint8Array.from(value.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function matterNow(now: unknown): number {
  const ms = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(`now: expected milliseconds since the epoch or a Date, got ${String(now)}`);
  }
  return Math.floor(ms / 1000) - MATTER_EPOCH_OFFSET_SECONDS;
}

function validity(now: unknown): { notBefore: number; notAfter: number } {
  const at = matterNow(now);
  return { notBefore: Math.max(0, at - YEAR_SECONDS), notAfter: at + 10 * YEAR_SECONDS };
}

/** A random positive serial number, as minimal DER INTEGER content. */
function randomSerial(): Uint8Array {
  const random = crypto.getRandomValues(new Uint8Array(SERIAL_BYTES));
  random[0]! &= 0x7f; // positive
  const value = random.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  return unsignedIntegerContent(value === 0n ? 1n : value);
}

/** A random CA id, 1 to 2^63 - 1 (any non-zero 64-bit value is valid; this range stays clear of the top bit). */
function randomId(): bigint {
  const random = crypto.getRandomValues(new Uint8Array(8));
  random[0]! &= 0x7f;
  const value = random.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  return value === 0n ? 1n : value;
}

function caCertificate(subject: DnAttribute[], issuer: DnAttribute[], publicKey: Uint8Array, issuerKeyId: Uint8Array,
  pathLength: number | undefined, now: unknown): MatterCertificate {
  return {
    serialNumber: randomSerial(), signatureAlgorithm: 1, issuer, ...validity(now), subject,
    publicKeyAlgorithm: 1, ellipticCurve: 1, publicKey,
    extensions: [
      pathLength === undefined ? { kind: 'basicConstraints', isCa: true } : { kind: 'basicConstraints', isCa: true, pathLength },
      { kind: 'keyUsage', usage: KeyUsage.keyCertSign | KeyUsage.cRLSign },
      { kind: 'subjectKeyId', keyId: keyIdentifier(publicKey) },
      { kind: 'authorityKeyId', keyId: issuerKeyId },
    ],
    signature: new Uint8Array(0),
  };
}

/**
 * A fabric's CA. It holds the root (and ICAC) private keys in memory: they are secrets, never logged or exposed by
 * a getter; toJSON() is the one way out, for the caller to put in a store it trusts. dispose() wipes them.
 */
export class FabricAuthority {
  readonly #rootPrivateKey: Uint8Array;
  readonly #icacPrivateKey: Uint8Array | undefined;
  /** The RCAC (Matter TLV): what AddTrustedRootCertificate installs. */
  readonly rcac: Uint8Array;
  /** The ICAC (Matter TLV), when NOCs are issued through one. */
  readonly icac: Uint8Array | undefined;
  readonly rootPublicKey: Uint8Array;
  readonly rcacId: bigint;
  readonly icacId: bigint | undefined;
  /** The fabric id the CA certificates are bound to, if any. */
  readonly fabricId: bigint | undefined;
  readonly #issuer: MatterCertificate;
  #disposed = false;

  private constructor(rootPrivateKey: Uint8Array, rcac: Uint8Array, icacPrivateKey?: Uint8Array, icac?: Uint8Array) {
    this.#rootPrivateKey = rootPrivateKey;
    this.#icacPrivateKey = icacPrivateKey;
    this.rcac = rcac;
    this.icac = icac;
    const root = operationalInfo(decodeMatterCertificate(rcac));
    this.rootPublicKey = root.publicKey;
    this.rcacId = root.rcacId!;
    const intermediate = icac ? operationalInfo(decodeMatterCertificate(icac)) : undefined;
    this.icacId = intermediate?.icacId;
    this.fabricId = root.fabricId ?? intermediate?.fabricId;
    this.#issuer = (intermediate ?? root).certificate;
  }

  /** A new root key pair and self-signed RCAC (and an ICAC when `intermediate`). */
  static create(options: FabricAuthorityOptions = {}): FabricAuthority {
    const fabricId = options.fabricId === undefined ? undefined : uint64Argument('fabricId', options.fabricId);
    if (fabricId === 0n) throw new RangeError('fabricId: 0 is not a valid fabric id');
    const fabric: DnAttribute[] = fabricId === undefined ? [] : [{ tag: DnTag.fabricId, value: fabricId }];
    const root = generateP256KeyPair();
    const rootKeyId = keyIdentifier(root.publicKey);
    const rootName: DnAttribute[] = [{ tag: DnTag.rcacId, value: randomId() }, ...fabric];
    const rcac = signMatterCertificate(
      caCertificate(rootName, rootName, root.publicKey, rootKeyId, undefined, options.now), root.privateKey);
    if (!options.intermediate) return new FabricAuthority(root.privateKey, rcac);
    const icacKeys: P256KeyPair = generateP256KeyPair();
    const icacName: DnAttribute[] = [{ tag: DnTag.icacId, value: randomId() }, ...fabric];
    const icac = signMatterCertificate(
      caCertificate(icacName, rootName, icacKeys.publicKey, rootKeyId, 0, options.now), root.privateKey);
    return new FabricAuthority(root.privateKey, rcac, icacKeys.privateKey, icac);
  }

  /** Restores an authority from toJSON(), checking that each key matches its certificate and the CA chain holds. */
  static fromJSON(json: FabricAuthorityJson): FabricAuthority {
    if (typeof json !== 'object' || json === null || json.version !== 1) {
      throw new TypeError('json: expected a FabricAuthorityJson of version 1');
    }
    const rootPrivateKey = bytesOfLength('rootPrivateKey', fromHex('rootPrivateKey', json.rootPrivateKey), 32);
    const rcac = fromHex('rcac', json.rcac);
    if ((json.icac === undefined) !== (json.icacPrivateKey === undefined)) {
      throw new TypeError('json: icac and icacPrivateKey go together');
    }
    let icacPrivateKey: Uint8Array | undefined;
    try {
      icacPrivateKey = json.icacPrivateKey === undefined ? undefined : bytesOfLength('icacPrivateKey', fromHex('icacPrivateKey', json.icacPrivateKey), 32);
      const icac = json.icac === undefined ? undefined : fromHex('icac', json.icac);
      const root = operationalInfo(decodeMatterCertificate(rcac));
      checkOperationalRole(root, 'rcac');
      if (!sameBytes(p256PublicKey(rootPrivateKey), root.publicKey)) {
        throw new RangeError('rootPrivateKey: does not match the RCAC public key');
      }
      if (icac) {
        const intermediate = operationalInfo(decodeMatterCertificate(icac));
        checkOperationalRole(intermediate, 'icac');
        if (!sameBytes(p256PublicKey(icacPrivateKey!), intermediate.publicKey)) {
          throw new RangeError('icacPrivateKey: does not match the ICAC public key');
        }
      }
      // fromHex gave fresh arrays: the authority owns them (and wipes them on dispose()).
      const authority = new FabricAuthority(rootPrivateKey, rcac, icacPrivateKey, icac);
      // A throwaway NOC proves the whole chain (names, key ids, signatures, path length) before anyone relies on it.
      authority.issueNoc({ publicKey: generateP256KeyPair().publicKey, nodeId: 1n, fabricId: authority.fabricId ?? 1n });
      return authority;
    } catch (error) {
      rootPrivateKey.fill(0); // nothing kept the keys: wipe the copies decoded here
      icacPrivateKey?.fill(0);
      throw error;
    }
  }

  /** The persisted form; see FabricAuthorityJson: it contains the private keys. */
  toJSON(): FabricAuthorityJson {
    this.#assertUsable();
    const json: FabricAuthorityJson = { version: 1, rootPrivateKey: toHex(this.#rootPrivateKey), rcac: toHex(this.rcac) };
    if (this.icac) {
      json.icacPrivateKey = toHex(this.#icacPrivateKey!);
      json.icac = toHex(this.icac);
    }
    return json;
  }

  /**
   * A NOC for a node: subject {node id, fabric id, CATs}, digitalSignature, extended key usage [clientAuth,
   * serverAuth] (what matter.js's CA writes), signed by the ICAC if there is one, else by the root. The result is
   * validated against this authority's chain before it is returned.
   */
  issueNoc(options: IssueNocOptions): Uint8Array {
    this.#assertUsable();
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options: expected { csr | publicKey, nodeId, fabricId, caseAuthenticatedTags? }');
    }
    if ((options.csr === undefined) === (options.publicKey === undefined)) {
      throw new TypeError('options: give exactly one of csr and publicKey');
    }
    const publicKey = options.csr !== undefined ? publicKeyFromCsr(options.csr) : bytesOfLength('publicKey', options.publicKey, 65);
    if (!isValidP256PublicKey(publicKey)) throw new RangeError('publicKey: not a point on P-256');
    const nodeId = uint64Argument('nodeId', options.nodeId);
    if (nodeId < MIN_OPERATIONAL_NODE_ID || nodeId > MAX_OPERATIONAL_NODE_ID) {
      throw new RangeError(`nodeId: expected an operational node id, 0x1 to 0xFFFFFFEFFFFFFFFF, got 0x${nodeId.toString(16)}`);
    }
    const fabricId = uint64Argument('fabricId', options.fabricId);
    if (fabricId === 0n) throw new RangeError('fabricId: 0 is not a valid fabric id');
    if (this.fabricId !== undefined && fabricId !== this.fabricId) {
      throw new RangeError(`fabricId: this authority's certificates are bound to fabric 0x${this.fabricId.toString(16)}`);
    }
    const cats = catsArgument(options.caseAuthenticatedTags ?? []);
    const issuerInfo = operationalInfo(this.#issuer);
    const certificate: MatterCertificate = {
      serialNumber: randomSerial(), signatureAlgorithm: 1, issuer: this.#issuer.subject, ...validity(options.now),
      subject: [
        { tag: DnTag.nodeId, value: nodeId }, { tag: DnTag.fabricId, value: fabricId },
        ...cats.map((cat) => ({ tag: DnTag.caseAuthenticatedTag, value: BigInt(cat) })),
      ],
      publicKeyAlgorithm: 1, ellipticCurve: 1, publicKey: publicKey.slice(),
      extensions: [
        { kind: 'basicConstraints', isCa: false },
        { kind: 'keyUsage', usage: KeyUsage.digitalSignature },
        { kind: 'extendedKeyUsage', purposes: [KeyPurpose.clientAuth, KeyPurpose.serverAuth] },
        { kind: 'subjectKeyId', keyId: keyIdentifier(publicKey) },
        { kind: 'authorityKeyId', keyId: issuerInfo.subjectKeyId! },
      ],
      signature: new Uint8Array(0),
    };
    const noc = signMatterCertificate(certificate, this.#icacPrivateKey ?? this.#rootPrivateKey);
    validateOperationalChain({ rcac: this.rcac, ...(this.icac ? { icac: this.icac } : {}), noc });
    return noc;
  }

  /** Wipes the private keys; the authority can no longer issue or be saved. */
  dispose(): void {
    this.#rootPrivateKey.fill(0);
    this.#icacPrivateKey?.fill(0);
    this.#disposed = true;
  }

  #assertUsable(): void {
    if (this.#disposed) throw new TypeError('FabricAuthority: disposed, its private keys are wiped');
  }
}

function catsArgument(value: unknown): number[] {
  if (!Array.isArray(value)) throw new TypeError('caseAuthenticatedTags: expected an array of 32-bit CATs');
  if (value.length > MAX_CASE_AUTHENTICATED_TAGS) {
    throw new RangeError(`caseAuthenticatedTags: at most ${MAX_CASE_AUTHENTICATED_TAGS}, got ${value.length}`);
  }
  const identifiers = new Set<number>();
  for (const cat of value) {
    if (typeof cat !== 'number' || !Number.isInteger(cat) || cat < 0 || cat > 0xffff_ffff) {
      throw new RangeError(`caseAuthenticatedTags: expected integers from 0 to 0xFFFFFFFF, got ${String(cat)}`);
    }
    if ((cat & 0xffff) === 0) throw new RangeError(`caseAuthenticatedTags: CAT 0x${cat.toString(16)} has version 0`);
    if (identifiers.has(cat >>> 16)) {
      throw new RangeError(`caseAuthenticatedTags: identifier 0x${(cat >>> 16).toString(16)} appears twice`);
    }
    identifiers.add(cat >>> 16);
  }
  return value as number[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
