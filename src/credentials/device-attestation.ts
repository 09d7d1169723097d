// Device attestation, commissioner side (Matter Core spec §6.2 "Device Attestation", the attestation and CSR commands
// of the Node Operational Credentials cluster; the commissioning step matter.js calls DeviceAttestationValidator):
// the DAC chains through its PAI to a trusted PAA, the device signed the AttestationElements (and the NOCSRElements)
// with the DAC key over the session's attestation challenge, and the Certification Declaration inside covers the
// DAC's vendor and product. Problems are returned as typed findings rather than thrown, so the caller's policy
// decides: a controller may refuse any 'error' finding, or only report them (as matter.js does by default).
import { bytes, bytesOfLength } from '../core/arguments.js';
import { ecdsaVerifySha256 } from '../crypto/p256.js';
import { parseAttestationCertificate, type AttestationCertificate } from './attestation-certificate.js';
import { decodeAttestationElements, decodeNocsrElements, type AttestationElements } from './attestation-elements.js';
import { publicKeyFromCsr } from './certificate-signing-request.js';
import {
  CertificationType, parseCertificationDeclaration, verifyCertificationDeclaration, type CertificationDeclaration,
} from './certification-declaration.js';
import { KeyUsage } from './operational-certificate.js';
import { TEST_CD_SIGNERS, TEST_PAAS } from './test-attestation-trust.js';
import { bytesEqual, parseX509Certificate } from './x509-certificate.js';

export type AttestationFindingCode =
  | 'dac-malformed' | 'pai-malformed' | 'paa-malformed'
  /** No trusted PAA has the PAI's authority key id and issuer name. */
  | 'paa-not-trusted'
  /** The chain was anchored by a TEST PAA (one of TEST_PAAS): fine in development, not for production. */
  | 'paa-test-only'
  | 'chain-signature' | 'chain-key-id' | 'chain-issuer' | 'chain-basic-constraints' | 'chain-key-usage'
  | 'chain-expired' | 'chain-not-yet-valid'
  /** DAC, PAI and PAA vendor ids (or DAC and PAI product ids) disagree, or a required id is missing. */
  | 'vendor-id-mismatch' | 'product-id-mismatch'
  | 'attestation-elements-malformed' | 'attestation-nonce-mismatch' | 'attestation-signature-invalid'
  | 'cd-malformed' | 'cd-signer-unknown' | 'cd-signature-invalid'
  /** The declaration's vendor id or product ids do not cover the DAC's (or BasicInformation's). */
  | 'cd-vendor-id-mismatch' | 'cd-product-id-mismatch' | 'cd-paa-not-authorized'
  /** certification_type is test (0) or provisional (1). */
  | 'cd-not-official'
  | 'nocsr-elements-malformed' | 'csr-nonce-mismatch' | 'nocsr-signature-invalid' | 'csr-invalid';

export interface AttestationFinding {
  code: AttestationFindingCode;
  /** 'error': the attestation fails the spec's procedure; 'warning': valid, but policy may refuse it. */
  severity: 'error' | 'warning';
  message: string;
}

export interface DeviceAttestationInput {
  /** From CertificateChainRequest(DAC) and (PAI): X.509 DER. */
  dac: Uint8Array;
  pai: Uint8Array;
  /** AttestationResponse fields, and the 32-byte nonce the commissioner sent in AttestationRequest. */
  attestationElements: Uint8Array;
  attestationSignature: Uint8Array;
  attestationNonce: Uint8Array;
  /** The 16-byte attestation challenge of the PASE (or CASE) session the responses came over. */
  attestationChallenge: Uint8Array;
  /** CSRResponse fields and the CSRRequest nonce, when the CSR step has run. */
  nocsrElements?: Uint8Array;
  nocsrSignature?: Uint8Array;
  csrNonce?: Uint8Array;
  /** Trusted PAAs (X.509 DER). Default TEST_PAAS, the Matter test PAAs: TEST ONLY. */
  trustedPaas?: readonly Uint8Array[];
  /** Trusted CD signing certificates (X.509 DER). Default TEST_CD_SIGNERS: TEST ONLY. */
  certificationDeclarationSigners?: readonly Uint8Array[];
  /** BasicInformation's VendorID and ProductID, when read: the declaration must cover them too. */
  vendorId?: number;
  productId?: number;
  /** Current time (ms or Date): certificate validity is checked against it only when given. */
  now?: number | Date;
}

export interface DeviceAttestationResult {
  /** The DAC's vendor and product ids (undefined when the DAC could not be read). */
  vendorId: number | undefined;
  productId: number | undefined;
  findings: AttestationFinding[];
  /** The public key of the CSR when the NOCSR elements were given and checked out. */
  csrPublicKey?: Uint8Array;
  /** The parsed declaration, when it could be read. */
  certificationDeclaration?: CertificationDeclaration;
}

const MAX_TRUSTED = 1000;
const hex4 = (n: number | undefined): string => (n === undefined ? 'none' : `0x${n.toString(16).toUpperCase().padStart(4, '0')}`);
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => { const out = new Uint8Array(a.length + b.length); out.set(a); out.set(b, a.length); return out; };

/**
 * Verifies a device's attestation. Throws only for arguments of the wrong type or length; everything else is a
 * finding.
 */
export function verifyDeviceAttestation(input: DeviceAttestationInput): DeviceAttestationResult {
  if (typeof input !== 'object' || input === null) throw new TypeError('input: expected the attestation responses');
  const dacDer = bytes('dac', input.dac), paiDer = bytes('pai', input.pai);
  const elementsTlv = bytes('attestationElements', input.attestationElements);
  const signature = bytes('attestationSignature', input.attestationSignature);
  const nonce = bytesOfLength('attestationNonce', input.attestationNonce, 32);
  const challenge = bytesOfLength('attestationChallenge', input.attestationChallenge, 16);
  const trustedPaas = input.trustedPaas ?? TEST_PAAS;
  const cdSigners = input.certificationDeclarationSigners ?? TEST_CD_SIGNERS;
  if (!Array.isArray(trustedPaas) || trustedPaas.length > MAX_TRUSTED) {
    throw new TypeError(`trustedPaas: expected an array of at most ${MAX_TRUSTED} DER certificates`);
  }
  if (!Array.isArray(cdSigners) || cdSigners.length > MAX_TRUSTED) {
    throw new TypeError(`certificationDeclarationSigners: expected an array of at most ${MAX_TRUSTED} DER certificates`);
  }
  const nowMs = input.now === undefined ? undefined : input.now instanceof Date ? input.now.getTime() : input.now;
  if (nowMs !== undefined && (typeof nowMs !== 'number' || !Number.isFinite(nowMs))) {
    throw new TypeError('now: expected milliseconds or a Date');
  }

  const findings: AttestationFinding[] = [];
  const add = (code: AttestationFindingCode, message: string, severity: 'error' | 'warning' = 'error') => { findings.push({ code, severity, message }); };
  const parse = (der: Uint8Array, code: 'dac-malformed' | 'pai-malformed', name: string): AttestationCertificate | undefined => {
    try {
      return parseAttestationCertificate(der);
    } catch (error) {
      add(code, `${name}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const dac = parse(dacDer, 'dac-malformed', 'DAC');
  const pai = parse(paiDer, 'pai-malformed', 'PAI');
  const result: DeviceAttestationResult = { vendorId: dac?.vendorId, productId: dac?.productId, findings };

  let paa: AttestationCertificate | undefined;
  if (dac && pai) {
    checkProfile(dac, 'DAC', false, add);
    checkProfile(pai, 'PAI', true, add);
    checkLink(dac, pai, 'DAC', add);
    paa = findPaa(pai, trustedPaas, add);
    if (paa) {
      checkProfile(paa, 'PAA', true, add);
      checkLink(pai, paa, 'PAI', add);
      if (trustedPaas === TEST_PAAS || TEST_PAAS.some((t) => bytesEqual(t, paa!.der))) {
        add('paa-test-only', 'the chain is anchored by a Matter TEST PAA: anyone can issue such DACs', 'warning');
      }
    }
    checkIds(dac, pai, paa, add);
    checkValidity(dac, pai, paa, nowMs, add);
  }

  const elements = checkAttestationElements(elementsTlv, signature, nonce, challenge, dac, add);
  if (elements) {
    const declaration = checkDeclaration(elements.certificationDeclaration, cdSigners, dac, pai, paa, input, add);
    if (declaration) result.certificationDeclaration = declaration;
  }
  if (input.nocsrElements !== undefined || input.nocsrSignature !== undefined || input.csrNonce !== undefined) {
    const key = checkNocsr(input, challenge, dac, add);
    if (key) result.csrPublicKey = key;
  }
  return result;
}

type Add = (code: AttestationFindingCode, message: string, severity?: 'error' | 'warning') => void;

/**
 * Spec §6.2 certificate profiles: DAC is an end entity signing with digitalSignature; PAI and PAA are CAs with
 * keyCertSign and cRLSign.
 */
function checkProfile(cert: AttestationCertificate, name: string, isCa: boolean, add: Add): void {
  const constraints = cert.basicConstraints;
  if (!constraints || constraints.isCa !== isCa) {
    add('chain-basic-constraints', `${name}: basicConstraints must say cA ${isCa ? 'TRUE' : 'FALSE'}`);
  }
  if (name === 'PAI' && constraints?.pathLength !== undefined && constraints.pathLength !== 0) {
    add('chain-basic-constraints', `PAI: pathLenConstraint must be 0, got ${constraints.pathLength}`);
  }
  if (name === 'PAA' && constraints?.pathLength !== undefined && constraints.pathLength < 1) {
    add('chain-basic-constraints', 'PAA: pathLenConstraint 0 does not allow a PAI below it');
  }
  const usage = cert.keyUsage;
  const wanted = isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature;
  if (usage === undefined || (usage & wanted) !== wanted) {
    add('chain-key-usage', `${name}: keyUsage must include ${isCa ? 'keyCertSign and cRLSign' : 'digitalSignature'}`);
  }
  if (!cert.subjectKeyId || cert.subjectKeyId.length !== 20) {
    add('chain-key-id', `${name}: a 20-byte subjectKeyIdentifier is required`);
  }
  if (name !== 'PAA' && (!cert.authorityKeyId || cert.authorityKeyId.length !== 20)) {
    add('chain-key-id', `${name}: a 20-byte authorityKeyIdentifier is required`);
  }
  for (const extension of cert.extensions) {
    const known = ['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.14', '2.5.29.35'];
    if (extension.critical && !known.includes(extension.oid)) {
      add('chain-basic-constraints', `${name}: unknown critical extension ${extension.oid}`);
    }
  }
}

function checkLink(child: AttestationCertificate, parent: AttestationCertificate, name: string, add: Add): void {
  if (!bytesEqual(child.issuerDer, parent.subjectDer)) {
    add('chain-issuer', `${name}: issuer name differs from its issuer's subject name`);
  }
  if (child.authorityKeyId && parent.subjectKeyId && !bytesEqual(child.authorityKeyId, parent.subjectKeyId)) {
    add('chain-key-id', `${name}: authorityKeyIdentifier differs from its issuer's subjectKeyIdentifier`);
  }
  if (!ecdsaVerifySha256(parent.publicKey, child.tbs, child.signature)) {
    add('chain-signature', `${name}: signature does not verify with its issuer's key`);
  }
}

/** The trusted PAA whose SKID is the PAI's AKID (and whose subject is the PAI's issuer). */
function findPaa(pai: AttestationCertificate, trusted: readonly Uint8Array[], add: Add): AttestationCertificate | undefined {
  for (const [i, der] of trusted.entries()) {
    let candidate: AttestationCertificate;
    try {
      candidate = parseAttestationCertificate(bytes(`trustedPaas[${i}]`, der));
    } catch (error) {
      add('paa-malformed', `trustedPaas[${i}]: ${(error as Error).message}`, 'warning');
      continue;
    }
    if (pai.authorityKeyId && candidate.subjectKeyId && bytesEqual(pai.authorityKeyId, candidate.subjectKeyId) &&
      bytesEqual(pai.issuerDer, candidate.subjectDer)) {
      return candidate;
    }
  }
  add('paa-not-trusted', 'no trusted PAA has the PAI\'s authority key identifier and issuer name');
  return undefined;
}

/** Spec §6.2: DAC and PAI carry a vendor id and agree on it (and with a PAA that has one); DAC has a product id. */
function checkIds(dac: AttestationCertificate, pai: AttestationCertificate, paa: AttestationCertificate | undefined, add: Add): void {
  if (dac.vendorId === undefined) add('vendor-id-mismatch', 'DAC: subject has no vendor id');
  if (dac.productId === undefined) add('product-id-mismatch', 'DAC: subject has no product id');
  if (pai.vendorId === undefined) add('vendor-id-mismatch', 'PAI: subject has no vendor id');
  if (dac.vendorId !== undefined && pai.vendorId !== undefined && dac.vendorId !== pai.vendorId) {
    add('vendor-id-mismatch', `DAC vendor id ${hex4(dac.vendorId)} differs from the PAI's ${hex4(pai.vendorId)}`);
  }
  if (paa?.vendorId !== undefined && pai.vendorId !== undefined && paa.vendorId !== pai.vendorId) {
    add('vendor-id-mismatch', `PAA vendor id ${hex4(paa.vendorId)} differs from the PAI's ${hex4(pai.vendorId)}`);
  }
  if (pai.productId !== undefined && pai.productId !== dac.productId) {
    add('product-id-mismatch', `PAI product id ${hex4(pai.productId)} differs from the DAC's ${hex4(dac.productId)}`);
  }
}

const NO_EXPIRATION = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

function checkValidity(dac: AttestationCertificate, pai: AttestationCertificate, paa: AttestationCertificate | undefined,
  nowMs: number | undefined, add: Add): void {
  // Spec §6.2 attestation procedure: a DAC outlives its issuers' clocks; what must hold is that it was issued while its
  // issuers were valid.
  for (const [issuer, name] of [[pai, 'PAI'], [paa, 'PAA']] as const) {
    if (!issuer) continue;
    if (dac.notBefore < issuer.notBefore) add('chain-not-yet-valid', `DAC notBefore precedes the ${name}'s notBefore`);
    if (issuer.notAfter !== NO_EXPIRATION && dac.notBefore > issuer.notAfter) {
      add('chain-expired', `DAC was issued after the ${name} expired`);
    }
  }
  if (nowMs === undefined) return;
  const now = Math.floor(nowMs / 1000);
  for (const [cert, name] of [[dac, 'DAC'], [pai, 'PAI'], [paa, 'PAA']] as const) {
    if (!cert) continue;
    if (now < cert.notBefore) {
      add('chain-not-yet-valid', `${name}: not valid before ${new Date(cert.notBefore * 1000).toISOString()}`);
    }
    if (cert.notAfter !== NO_EXPIRATION && now > cert.notAfter) {
      add('chain-expired', `${name}: expired at ${new Date(cert.notAfter * 1000).toISOString()}`);
    }
  }
}

function checkAttestationElements(tlv: Uint8Array, signature: Uint8Array, nonce: Uint8Array, challenge: Uint8Array,
  dac: AttestationCertificate | undefined, add: Add): AttestationElements | undefined {
  let elements: AttestationElements;
  try {
    elements = decodeAttestationElements(tlv);
  } catch (error) {
    add('attestation-elements-malformed', `attestationElements: ${(error as Error).message}`);
    return undefined;
  }
  if (!bytesEqual(elements.attestationNonce, nonce)) {
    add('attestation-nonce-mismatch', 'the AttestationElements nonce is not the one sent');
  }
  if (dac && !ecdsaVerifySha256(dac.publicKey, concat(tlv, challenge), signature)) {
    add('attestation-signature-invalid', 'the attestation signature does not verify with the DAC key over elements ‖ attestation challenge');
  }
  return elements;
}

function checkDeclaration(cms: Uint8Array, signers: readonly Uint8Array[], dac: AttestationCertificate | undefined,
  pai: AttestationCertificate | undefined, paa: AttestationCertificate | undefined, input: DeviceAttestationInput, add: Add):
  CertificationDeclaration | undefined {
  let declaration: CertificationDeclaration;
  try {
    declaration = parseCertificationDeclaration(cms);
  } catch (error) {
    add('cd-malformed', (error as Error).message);
    return undefined;
  }
  const signer = signers.find((der) => {
    try {
      const key = parseX509Certificate(der).subjectKeyId;
      return key !== undefined && bytesEqual(key, declaration.signerKeyId);
    } catch {
      return false;
    }
  });
  if (!signer) add('cd-signer-unknown', 'no trusted Certification Declaration signer has the signer key identifier');
  else if (!verifyCertificationDeclaration(declaration, signer)) {
    add('cd-signature-invalid', 'the Certification Declaration signature does not verify');
  }

  const content = declaration.content;
  if (content.certificationType !== CertificationType.official) {
    add('cd-not-official', `certification_type ${content.certificationType} (${content.certificationType === 0 ? 'test' : 'provisional'})`, 'warning');
  }
  if (input.vendorId !== undefined && content.vendorId !== input.vendorId) {
    add('cd-vendor-id-mismatch', `declaration vendor id ${hex4(content.vendorId)} is not BasicInformation's ${hex4(input.vendorId)}`);
  }
  if (input.productId !== undefined && !content.productIds.includes(input.productId)) {
    add('cd-product-id-mismatch', `declaration product ids do not include BasicInformation's ${hex4(input.productId)}`);
  }
  const origin = content.dacOriginVendorId !== undefined || content.dacOriginProductId !== undefined;
  if (origin && (content.dacOriginVendorId === undefined || content.dacOriginProductId === undefined)) {
    add('cd-malformed', 'declaration has only one of dac_origin_vendor_id and dac_origin_product_id');
  }
  // Spec §6.3 (Certification Declaration use): the DAC's ids must be what the declaration certifies (or its dac_origin
  // ids when present).
  const vendor = origin ? content.dacOriginVendorId : content.vendorId;
  const products = origin ? [content.dacOriginProductId] : content.productIds;
  for (const [cert, name] of [[dac, 'DAC'], [pai, 'PAI']] as const) {
    if (!cert) continue;
    if (cert.vendorId !== undefined && cert.vendorId !== vendor) {
      add('cd-vendor-id-mismatch', `${name} vendor id ${hex4(cert.vendorId)} is not the declaration's ${hex4(vendor)}`);
    }
    if (cert.productId !== undefined && !products.includes(cert.productId)) {
      add('cd-product-id-mismatch', `${name} product id ${hex4(cert.productId)} is not among the declaration's`);
    }
  }
  if (content.authorizedPaaList && paa?.subjectKeyId && !content.authorizedPaaList.some((k) => bytesEqual(k, paa.subjectKeyId!))) {
    add('cd-paa-not-authorized', 'the PAA is not in the declaration\'s authorized_paa_list');
  }
  return declaration;
}

function checkNocsr(input: DeviceAttestationInput, challenge: Uint8Array, dac: AttestationCertificate | undefined, add: Add): Uint8Array | undefined {
  const tlv = bytes('nocsrElements', input.nocsrElements);
  const signature = bytes('nocsrSignature', input.nocsrSignature);
  const csrNonce = bytesOfLength('csrNonce', input.csrNonce, 32);
  let csr: Uint8Array;
  try {
    const elements = decodeNocsrElements(tlv);
    if (!bytesEqual(elements.csrNonce, csrNonce)) {
      add('csr-nonce-mismatch', 'the NOCSRElements nonce is not the one sent');
    }
    csr = elements.csr;
  } catch (error) {
    add('nocsr-elements-malformed', `nocsrElements: ${(error as Error).message}`);
    return undefined;
  }
  if (dac && !ecdsaVerifySha256(dac.publicKey, concat(tlv, challenge), signature)) {
    add('nocsr-signature-invalid', 'the NOCSR signature does not verify with the DAC key over elements ‖ attestation challenge');
  }
  try {
    return publicKeyFromCsr(csr);
  } catch (error) {
    add('csr-invalid', (error as Error).message);
    return undefined;
  }
}
