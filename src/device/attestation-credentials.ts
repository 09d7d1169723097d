// A device's attestation credentials (Matter Core spec §6.2 "Device Attestation"): its DAC and PAI (X.509 DER), the
// DAC's private key, and the Certification Declaration (CMS DER) it returns in AttestationResponse. Checked once
// when the node starts: the key must be the DAC's, the DAC must be issued by the PAI, and credentials that chain
// to a public test PAA or carry a test declaration are refused unless `allowTestAttestation` is set — their keys
// are published, so they prove nothing about a product.
import {
  parseAttestationCertificate, parseCertificationDeclaration, CertificationType, TEST_PAAS,
} from '../credentials/index.js';
import { parseX509Certificate } from '../credentials/x509-certificate.js';
import { ecdsaVerifySha256, p256PublicKey } from '../crypto/p256.js';

export interface AttestationCredentials {
  /** Device Attestation Certificate, X.509 DER. */
  dac: Uint8Array;
  /** Product Attestation Intermediate, X.509 DER. */
  pai: Uint8Array;
  /** The DAC's private key (32 bytes). Used only to sign attestation and NOCSR elements. */
  dacPrivateKey: Uint8Array;
  /** Certification Declaration, CMS DER (at most 900 bytes). */
  certificationDeclaration: Uint8Array;
}

export class AttestationCredentialsError extends Error {
  override name = 'AttestationCredentialsError';
}

export interface CheckedAttestation extends AttestationCredentials {
  vendorId: number | undefined;
  productId: number | undefined;
  /** True when these are public test credentials (test PAA or test declaration). */
  test: boolean;
}

function bytesArgument(name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0) throw new TypeError(`attestation.${name}: expected a non-empty Uint8Array`);
  return value;
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);

/** Checks the credentials; throws AttestationCredentialsError (or TypeError for a missing field) naming the problem. */
export function checkAttestationCredentials(credentials: AttestationCredentials, options: { allowTestAttestation?: boolean } = {}):
  CheckedAttestation {
  if (typeof credentials !== 'object' || credentials === null) throw new TypeError('attestation: expected { dac, pai, dacPrivateKey, certificationDeclaration }');
  const dacDer = bytesArgument('dac', credentials.dac);
  const paiDer = bytesArgument('pai', credentials.pai);
  const key = bytesArgument('dacPrivateKey', credentials.dacPrivateKey);
  const cdDer = bytesArgument('certificationDeclaration', credentials.certificationDeclaration);
  const fail = (message: string, cause?: unknown): never => { throw new AttestationCredentialsError(message, { cause }); };
  let dac, pai, declaration;
  try { dac = parseAttestationCertificate(dacDer); } catch (error) { return fail(`attestation.dac: ${(error as Error).message}`, error); }
  try { pai = parseAttestationCertificate(paiDer); } catch (error) { return fail(`attestation.pai: ${(error as Error).message}`, error); }
  try { declaration = parseCertificationDeclaration(cdDer); } catch (error) {
    return fail(`attestation.certificationDeclaration: ${(error as Error).message}`, error);
  }
  let publicKey: Uint8Array;
  try { publicKey = p256PublicKey(key); } catch (error) { return fail('attestation.dacPrivateKey: not a P-256 private key', error); }
  if (!sameBytes(publicKey, dac.publicKey)) fail('attestation.dacPrivateKey: it is not the key of the DAC\'s public key');
  if (!sameBytes(dac.authorityKeyId, pai.subjectKeyId)) fail('attestation.dac: its authority key id is not the PAI\'s subject key id');
  if (!ecdsaVerifySha256(pai.publicKey, dac.tbs, dac.signature)) fail('attestation.dac: its signature does not verify with the PAI\'s key');
  if (pai.vendorId !== undefined && dac.vendorId !== pai.vendorId) fail(`attestation.dac: vendor id ${dac.vendorId} differs from the PAI's ${pai.vendorId}`);
  const testPaaIds = TEST_PAAS.map((paa) => parseX509Certificate(paa).subjectKeyId);
  const test = testPaaIds.some((id) => sameBytes(id, pai.authorityKeyId))
    || declaration.content.certificationType === CertificationType.test;
  if (test && options.allowTestAttestation !== true) {
    fail('attestation: these are public TEST credentials (test PAA or test Certification Declaration); set allowTestAttestation: true for development');
  }
  return { dac: dacDer, pai: paiDer, dacPrivateKey: key, certificationDeclaration: cdDer, vendorId: dac.vendorId, productId: dac.productId, test };
}
