// Development attestation (Matter Core spec §6.2, with the CSA's published test PKI): a PAI and a DAC signed at
// startup with the official "Matter Test PAA" (no vendor id) key, and a test Certification Declaration signed with
// the "Matter Test CD Signing Authority" key (spec Appendix F). TEST ONLY: both private keys below are public —
// they ship with connectedhomeip's test credentials and matter.js — so anyone can forge these credentials. A
// commissioner trusting the test PAA accepts the device; nothing here proves anything about a product.
import {
  buildAttestationCertificate, CertificationType, signCertificationDeclaration, TEST_CD_SIGNER, TEST_PAA_NO_VID,
} from '../credentials/index.js';
import { parseX509Certificate } from '../credentials/x509-certificate.js';
import { generateP256KeyPair } from '../crypto/p256.js';
import { checkAttestationCredentials, type CheckedAttestation } from './attestation-credentials.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));

/** PUBLIC TEST KEY: the private key of the official "Matter Test PAA" without vendor id (SKID 785CE705...). */
const TEST_PAA_NO_VID_PRIVATE_KEY = hex('e1f073c934853baffb38bf7e8bdad7a0a674107c7769892a0ff2e06c1a2ef7a7');
/** PUBLIC TEST KEY: the "Matter Test CD Signing Authority" private key, printed in the spec's Appendix F. */
const TEST_CD_SIGNER_PRIVATE_KEY = hex('aef3484116e9481ec57be0472df41bf499064e5024ad869eca5e889802d48075');

export interface TestAttestationOptions {
  vendorId: number;
  productId: number;
  /** The device type the test declaration certifies (default 0x0100, On/Off Light). */
  deviceTypeId?: number;
  /** Must be true: a reminder at every call site that these credentials are for development only. */
  allowTestAttestation: boolean;
  /** Seconds since the epoch (default now): the certificates are valid from a day before to ten years after. */
  now?: number;
}

/** TEST ONLY. Fresh PAI and DAC keys, certificates signed with the public test PAA key, a test declaration. */
export function createTestAttestation(options: TestAttestationOptions): CheckedAttestation {
  if (options?.allowTestAttestation !== true) {
    throw new TypeError('options.allowTestAttestation: test attestation credentials are public; pass true to use them in development');
  }
  const { vendorId, productId } = options;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const validity = { notBefore: now - 86_400, notAfter: now + 10 * 365 * 86_400 };
  const paa = parseX509Certificate(TEST_PAA_NO_VID);
  const paiKey = generateP256KeyPair();
  const dacKey = generateP256KeyPair();
  const paiName = { commonName: 'matter-sessions TEST PAI', vendorId };
  const pai = buildAttestationCertificate({
    serialNumber: 1n, issuer: { commonName: 'Matter Test PAA' }, subject: paiName, ...validity,
    publicKey: paiKey.publicKey, ca: { pathLength: 0 }, authorityKeyId: paa.subjectKeyId!,
  }, TEST_PAA_NO_VID_PRIVATE_KEY);
  const dac = buildAttestationCertificate({
    serialNumber: BigInt(1 + (crypto.getRandomValues(new Uint32Array(1))[0]! >>> 1)), issuer: paiName,
    subject: { commonName: 'matter-sessions TEST DAC', vendorId, productId }, ...validity,
    publicKey: dacKey.publicKey, authorityKeyId: parseX509Certificate(pai).subjectKeyId!,
  }, paiKey.privateKey);
  paiKey.privateKey.fill(0);
  const certificationDeclaration = signCertificationDeclaration({
    formatVersion: 1, vendorId, productIds: [productId], deviceTypeId: options.deviceTypeId ?? 0x0100,
    certificateId: 'ZIG20141ZB330001-24', securityLevel: 0, securityInformation: 0, versionNumber: 0x2694,
    certificationType: CertificationType.test,
  }, TEST_CD_SIGNER_PRIVATE_KEY, parseX509Certificate(TEST_CD_SIGNER).subjectKeyId!);
  return checkAttestationCredentials({ dac, pai, dacPrivateKey: dacKey.privateKey, certificationDeclaration }, { allowTestAttestation: true });
}
