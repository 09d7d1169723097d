// What an operational certificate says about its subject, and the rules each role's certificate must satisfy on its
// own (Matter Core spec §6.5, the RCAC, ICAC and NOC profiles; connectedhomeip CHIPCert.cpp ValidateCert and
// ExtractNodeIdFabricIdFromOpCert; matter.js certificate/kinds/{Rcac,Icac,Noc}.ts). Chain rules that relate two
// certificates live in operational-chain.ts.
import { CertificateError, type CertificateRole } from './certificate-error.js';
import { DerTag, decodeDer, members, readBoolean } from './der-reader.js';
import { DnTag, decodeMatterCertificate, type CertificateExtension, type MatterCertificate } from './matter-certificate.js';

/**
 * Operational node ids are 0x0000_0000_0000_0001 to 0xFFFF_FFEF_FFFF_FFFF (Matter Core spec, "Operational Node ID"
 * ranges).
 */
export const MIN_OPERATIONAL_NODE_ID = 1n;
export const MAX_OPERATIONAL_NODE_ID = 0xffff_ffef_ffff_ffffn;
/** A NOC carries at most three CASE Authenticated Tags (Matter Core spec §6.6, CASE Authenticated Tags). */
export const MAX_CASE_AUTHENTICATED_TAGS = 3;
/** connectedhomeip CHIP_CONFIG_CERT_MAX_RDN_ATTRIBUTES. */
export const MAX_DN_ATTRIBUTES = 5;

export const KeyUsage = Object.freeze({
  digitalSignature: 0x01, nonRepudiation: 0x02, keyEncipherment: 0x04, dataEncipherment: 0x08, keyAgreement: 0x10,
  keyCertSign: 0x20, cRLSign: 0x40, encipherOnly: 0x80, decipherOnly: 0x100,
});
export const KeyPurpose = Object.freeze({ serverAuth: 1, clientAuth: 2, codeSigning: 3, emailProtection: 4, timeStamping: 5, ocspSigning: 6 });

export interface OperationalCertificateInfo {
  certificate: MatterCertificate;
  /** 65-byte subject public key. */
  publicKey: Uint8Array;
  nodeId?: bigint;
  fabricId?: bigint;
  rcacId?: bigint;
  icacId?: bigint;
  /** In subject order. */
  caseAuthenticatedTags: number[];
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  basicConstraints?: { isCa: boolean; pathLength?: number };
  keyUsage?: number;
  extendedKeyUsage?: number[];
}

/** Subject fields of a Matter TLV certificate (no rule is checked beyond a well-formed certificate). */
export function decodeOperationalCertificate(tlv: Uint8Array): OperationalCertificateInfo {
  return operationalInfo(decodeMatterCertificate(tlv));
}

export function operationalInfo(certificate: MatterCertificate): OperationalCertificateInfo {
  const one = (tag: number) => certificate.subject.find((a) => a.tag === tag)?.value as bigint | undefined;
  const extension = <K extends CertificateExtension['kind']>(kind: K) =>
    certificate.extensions.find((e) => e.kind === kind) as Extract<CertificateExtension, { kind: K }> | undefined;
  const info: OperationalCertificateInfo = {
    certificate,
    publicKey: certificate.publicKey,
    caseAuthenticatedTags: certificate.subject.filter((a) => a.tag === DnTag.caseAuthenticatedTag).map((a) => Number(a.value)),
  };
  const fields = { nodeId: one(DnTag.nodeId), fabricId: one(DnTag.fabricId), rcacId: one(DnTag.rcacId), icacId: one(DnTag.icacId) };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) (info as unknown as Record<string, unknown>)[key] = value;
  const skid = extension('subjectKeyId'), akid = extension('authorityKeyId'), bc = extension('basicConstraints');
  const ku = extension('keyUsage'), eku = extension('extendedKeyUsage');
  if (skid) info.subjectKeyId = skid.keyId;
  if (akid) info.authorityKeyId = akid.keyId;
  if (bc) {
    info.basicConstraints = bc.pathLength === undefined ? { isCa: bc.isCa } : { isCa: bc.isCa, pathLength: bc.pathLength };
  }
  if (ku) info.keyUsage = ku.usage;
  if (eku) info.extendedKeyUsage = eku.purposes;
  return info;
}

type Rule = 'required-one' | 'optional-one' | 'forbidden';
const SUBJECT_RULES: Record<'rcac' | 'icac' | 'noc', Partial<Record<number, Rule>>> = {
  rcac: { [DnTag.rcacId]: 'required-one', [DnTag.fabricId]: 'optional-one', [DnTag.nodeId]: 'forbidden', [DnTag.icacId]: 'forbidden', [DnTag.caseAuthenticatedTag]: 'forbidden', [DnTag.vvsId]: 'forbidden', [DnTag.firmwareSigningId]: 'forbidden' },
  icac: { [DnTag.icacId]: 'required-one', [DnTag.fabricId]: 'optional-one', [DnTag.nodeId]: 'forbidden', [DnTag.rcacId]: 'forbidden', [DnTag.caseAuthenticatedTag]: 'forbidden', [DnTag.vvsId]: 'forbidden', [DnTag.firmwareSigningId]: 'forbidden' },
  noc: { [DnTag.nodeId]: 'required-one', [DnTag.fabricId]: 'required-one', [DnTag.icacId]: 'forbidden', [DnTag.rcacId]: 'forbidden', [DnTag.vvsId]: 'forbidden', [DnTag.firmwareSigningId]: 'forbidden' },
};
const ATTRIBUTE_NAMES: Record<number, string> = {
  [DnTag.nodeId]: 'matter-node-id', [DnTag.fabricId]: 'matter-fabric-id', [DnTag.rcacId]: 'matter-rcac-id',
  [DnTag.icacId]: 'matter-icac-id', [DnTag.caseAuthenticatedTag]: 'matter-noc-cat', [DnTag.vvsId]: 'matter-vvs-id',
  [DnTag.firmwareSigningId]: 'matter-firmware-signing-id',
};

/** Checks one certificate against its role's profile. Throws CertificateError naming the role. */
export function checkOperationalRole(info: OperationalCertificateInfo, role: 'rcac' | 'icac' | 'noc'): void {
  const fail = (reason: ConstructorParameters<typeof CertificateError>[0], message: string): never => {
    throw new CertificateError(reason, message, role as CertificateRole);
  };
  const { certificate: cert } = info;
  if (cert.signatureAlgorithm !== 1 || cert.publicKeyAlgorithm !== 1 || cert.ellipticCurve !== 1) {
    fail('unsupported-algorithm', 'signature, key and curve must be ecdsa-with-SHA256, id-ecPublicKey, prime256v1 (1, 1, 1)');
  }
  if (cert.notAfter !== 0 && cert.notBefore >= cert.notAfter) fail('malformed-tlv', 'notBefore is not before notAfter');
  for (const [tagText, rule] of Object.entries(SUBJECT_RULES[role])) {
    const tag = Number(tagText);
    const count = cert.subject.filter((a) => a.tag === tag).length;
    if (rule === 'forbidden' && count) fail('chain-subject', `subject must not have ${ATTRIBUTE_NAMES[tag]}`);
    if (rule === 'required-one' && count !== 1) {
      fail('chain-subject', `subject must have exactly one ${ATTRIBUTE_NAMES[tag]}, has ${count}`);
    }
    if (rule === 'optional-one' && count > 1) {
      fail('chain-subject', `subject has ${count} ${ATTRIBUTE_NAMES[tag]} attributes; at most one`);
    }
  }
  if (info.subjectKeyId?.length !== 20) fail('chain-key-id', 'a 20-byte subjectKeyIdentifier is required');
  if (info.authorityKeyId?.length !== 20) fail('chain-key-id', 'a 20-byte authorityKeyIdentifier is required');
  for (const extension of cert.extensions) {
    if (extension.kind === 'future' && isCritical(extension.der)) {
      fail('chain-critical-extension', 'a critical extension Matter does not define');
    }
  }
  const constraints = info.basicConstraints ?? fail('chain-basic-constraints', 'basicConstraints is required');
  const usage = info.keyUsage ?? fail('chain-key-usage', 'keyUsage is required');
  if (role === 'noc') {
    if (constraints.isCa) fail('chain-basic-constraints', 'a NOC must not be a CA (isCA false)');
    if (!(usage & KeyUsage.digitalSignature)) fail('chain-key-usage', 'a NOC needs keyUsage digitalSignature');
    // CASE validates the peer's NOC for serverAuth (connectedhomeip CASESession sets it as the required purpose);
    // clientAuth, which issuers also write, is not required.
    if (!info.extendedKeyUsage?.includes(KeyPurpose.serverAuth)) {
      fail('chain-key-usage', 'a NOC needs extendedKeyUsage serverAuth');
    }
    const nodeId = info.nodeId!;
    if (nodeId < MIN_OPERATIONAL_NODE_ID || nodeId > MAX_OPERATIONAL_NODE_ID) {
      fail('chain-node-id', `node id 0x${nodeId.toString(16).toUpperCase()} is outside the operational range 0x1 to 0xFFFFFFEFFFFFFFFF`);
    }
    if (info.fabricId === 0n) fail('chain-fabric-id', 'fabric id 0 is not a valid fabric');
    checkCats(info.caseAuthenticatedTags, fail);
  } else {
    if (!constraints.isCa) fail('chain-basic-constraints', `an ${role.toUpperCase()} must be a CA (isCA true)`);
    if ((usage & (KeyUsage.keyCertSign | KeyUsage.cRLSign)) !== (KeyUsage.keyCertSign | KeyUsage.cRLSign)) {
      fail('chain-key-usage', `an ${role.toUpperCase()} needs keyUsage keyCertSign and cRLSign`);
    }
    if (info.extendedKeyUsage) fail('chain-key-usage', `an ${role.toUpperCase()} must not have extendedKeyUsage`);
    if (info.fabricId === 0n) fail('chain-fabric-id', 'fabric id 0 is not a valid fabric');
  }
  // Checked last so that a more specific rule (too many CATs) names the problem first.
  for (const [which, name] of [['subject', cert.subject], ['issuer', cert.issuer]] as const) {
    if (name.length > MAX_DN_ATTRIBUTES) {
      fail('chain-subject', `${which} has ${name.length} attributes; at most ${MAX_DN_ATTRIBUTES}`);
    }
  }
}

/** Spec §6.6 CATs: at most three, each with a version of at least 1, no identifier twice. */
function checkCats(cats: number[], fail: (reason: 'chain-cat', message: string) => never): void {
  if (cats.length > MAX_CASE_AUTHENTICATED_TAGS) {
    fail('chain-cat', `${cats.length} CASE Authenticated Tags; at most ${MAX_CASE_AUTHENTICATED_TAGS}`);
  }
  const identifiers = new Set<number>();
  for (const cat of cats) {
    if ((cat & 0xffff) === 0) fail('chain-cat', `CAT 0x${cat.toString(16).padStart(8, '0')} has version 0`);
    const identifier = cat >>> 16;
    if (identifiers.has(identifier)) {
      fail('chain-cat', `two CATs with identifier 0x${identifier.toString(16).padStart(4, '0')}`);
    }
    identifiers.add(identifier);
  }
}

function isCritical(extensionDer: Uint8Array): boolean {
  const parts = members(decodeDer(extensionDer), DerTag.SEQUENCE, 'futureExtension', { min: 2, max: 3 });
  return parts.length === 3 && readBoolean(parts[1], 'futureExtension.critical');
}
