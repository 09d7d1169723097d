// Operational certificate path validation (Matter Core spec §6.5, certificate path validation; connectedhomeip
// CHIPCert.cpp ValidateCert / FindValidCert and FabricTable.cpp VerifyCredentials): RCAC -> [ICAC] -> NOC, the RCAC
// as the trust anchor. Every certificate is first checked against its role's profile (operational-certificate.ts),
// then each link: issuer name and key id, the signature over the child's DER TBS, path length, fabric id agreement,
// and validity when the caller knows the time.
import { ecdsaVerifySha256 } from '../crypto/p256.js';
import { encodeDistinguishedName, tbsCertificateDer } from './certificate-der.js';
import { CertificateError, type CertificateRole } from './certificate-error.js';
import { MATTER_EPOCH_OFFSET_SECONDS, decodeMatterCertificate } from './matter-certificate.js';
import { checkOperationalRole, operationalInfo, type OperationalCertificateInfo } from './operational-certificate.js';
import { bytesEqual } from './x509-certificate.js';

export interface OperationalChainInput {
  /** Matter TLV certificates. */
  rcac: Uint8Array;
  icac?: Uint8Array;
  noc: Uint8Array;
  /** Current time (ms since the Unix epoch, or a Date); validity periods are checked only when it is given. */
  now?: number | Date;
}

export interface OperationalChainResult {
  nodeId: bigint;
  fabricId: bigint;
  caseAuthenticatedTags: number[];
  /** The NOC's public key (65 bytes). */
  publicKey: Uint8Array;
  /** The RCAC's public key: with fabricId, what names the fabric. */
  rootPublicKey: Uint8Array;
  rcacId?: bigint;
  icacId?: bigint;
}

function certificateArgument(name: CertificateRole, value: unknown): OperationalCertificateInfo {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${name}: expected a Uint8Array (Matter TLV certificate), got ${typeof value}`);
  }
  try {
    return operationalInfo(decodeMatterCertificate(value));
  } catch (error) {
    if (error instanceof CertificateError) {
      throw new CertificateError(error.reason, error.message.replace(/ \([a-z-]+\)$/, ''), name);
    }
    throw error;
  }
}

function nowSeconds(now: unknown): number | undefined {
  if (now === undefined) return undefined;
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(`now: expected milliseconds since the epoch or a Date, got ${String(now)}`);
  }
  return Math.floor(ms / 1000) - MATTER_EPOCH_OFFSET_SECONDS;
}

function checkValidity(info: OperationalCertificateInfo, role: CertificateRole, now: number | undefined): void {
  if (now === undefined) return;
  const { notBefore, notAfter } = info.certificate;
  if (now < notBefore) {
    throw new CertificateError('chain-not-yet-valid', `valid only from ${matterDate(notBefore)}`, role);
  }
  if (notAfter !== 0 && now > notAfter) {
    throw new CertificateError('chain-expired', `expired at ${matterDate(notAfter)}`, role);
  }
}

const matterDate = (seconds: number): string => new Date((seconds + MATTER_EPOCH_OFFSET_SECONDS) * 1000).toISOString();

/** The link from `parent` to `child`: names, key ids and the signature over the child's DER TBS. */
function checkLink(child: OperationalCertificateInfo, childRole: CertificateRole, parent: OperationalCertificateInfo): void {
  const childName = encodeDistinguishedName(child.certificate.issuer, 'issuer');
  if (!bytesEqual(childName, encodeDistinguishedName(parent.certificate.subject, 'subject'))) {
    throw new CertificateError('chain-issuer', 'issuer DN differs from its issuer\'s subject DN', childRole);
  }
  if (!bytesEqual(child.authorityKeyId!, parent.subjectKeyId!)) {
    throw new CertificateError('chain-key-id', 'authorityKeyIdentifier differs from its issuer\'s subjectKeyIdentifier', childRole);
  }
  if (!ecdsaVerifySha256(parent.publicKey, tbsCertificateDer(child.certificate), child.certificate.signature)) {
    throw new CertificateError('bad-signature', 'signature does not verify with its issuer\'s key', childRole);
  }
}

/**
 * Validates RCAC -> [ICAC] -> NOC and returns what the NOC says. Throws CertificateError whose `reason` names the
 * broken rule and whose `role` names the certificate.
 */
export function validateOperationalChain(input: OperationalChainInput): OperationalChainResult {
  if (typeof input !== 'object' || input === null) throw new TypeError('input: expected { rcac, icac?, noc, now? }');
  const now = nowSeconds(input.now);
  const rcac = certificateArgument('rcac', input.rcac);
  const icac = input.icac === undefined ? undefined : certificateArgument('icac', input.icac);
  const noc = certificateArgument('noc', input.noc);

  checkOperationalRole(rcac, 'rcac');
  if (icac) checkOperationalRole(icac, 'icac');
  checkOperationalRole(noc, 'noc');

  // The trust anchor is self-issued and self-signed; its signature is checked so a corrupted root is caught early.
  if (!bytesEqual(rcac.authorityKeyId!, rcac.subjectKeyId!)) {
    throw new CertificateError('chain-key-id', 'a root\'s authorityKeyIdentifier must equal its subjectKeyIdentifier', 'rcac');
  }
  checkLink(rcac, 'rcac', rcac);
  if (icac) checkLink(icac, 'icac', rcac);
  checkLink(noc, 'noc', icac ?? rcac);

  // pathLenConstraint counts the CA certificates that may follow (RFC 5280 §4.2.1.9).
  const below = icac ? 1 : 0;
  const rootPath = rcac.basicConstraints!.pathLength;
  if (rootPath !== undefined && rootPath < below) {
    throw new CertificateError('chain-basic-constraints', `pathLenConstraint ${rootPath} does not allow an ICAC`, 'rcac');
  }

  const fabricId = noc.fabricId!;
  for (const [role, info] of [['rcac', rcac], ['icac', icac]] as const) {
    if (info?.fabricId !== undefined && info.fabricId !== fabricId) {
      throw new CertificateError('chain-fabric-id', `fabric id 0x${info.fabricId.toString(16)} differs from the NOC's 0x${fabricId.toString(16)}`, role);
    }
  }

  checkValidity(rcac, 'rcac', now);
  if (icac) checkValidity(icac, 'icac', now);
  checkValidity(noc, 'noc', now);

  const result: OperationalChainResult = {
    nodeId: noc.nodeId!, fabricId, caseAuthenticatedTags: noc.caseAuthenticatedTags, publicKey: noc.publicKey,
    rootPublicKey: rcac.publicKey,
  };
  if (rcac.rcacId !== undefined) result.rcacId = rcac.rcacId;
  if (icac?.icacId !== undefined) result.icacId = icac.icacId;
  return result;
}
