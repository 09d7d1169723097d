// PKCS#10 certification requests (RFC 2986) as Matter's CSRRequest/CSRResponse carry them (Matter Core spec
// CSRResponse and its NOCSRElements, Node Operational Credentials cluster): a device proves it holds the private key
// of the public key it wants certified by signing the request with it. The commissioner takes the key only after that
// self-signature verifies.
import { bytes } from '../core/arguments.js';
import { ecdsaDerToRaw, ecdsaRawToDer, ecdsaSignSha256, ecdsaVerifySha256, p256PublicKey, type P256KeyPair } from '../crypto/p256.js';
import { CertificateError } from './certificate-error.js';
import { DerTag, contextTag, decodeDer, members, readOctetAlignedBits, readOid, readSmallUnsigned } from './der-reader.js';
import { derBitString, derElement, derOid, derSequence, derSet, derUnsigned, derUtf8String } from './der-writer.js';
import { OID } from './object-identifiers.js';
import { readName, readPublicKey } from './x509-certificate.js';

/** NOCSRElements are at most 900 bytes (CSRResponse field constraint), so the CSR inside them is smaller still. */
export const MAX_CSR_LENGTH = 900;
const ORGANIZATION_NAME = '2.5.4.10';

const badCsr = (message: string): never => { throw new CertificateError('bad-csr', message, 'csr'); };

/**
 * A DER PKCS#10 request for `keyPair`'s public key, signed with its private key. The subject is O=CSR, as
 * connectedhomeip and matter.js write it: the commissioner ignores the subject and names the node itself.
 */
export function createCsr(keyPair: P256KeyPair): Uint8Array {
  if (typeof keyPair !== 'object' || keyPair === null) {
    throw new TypeError('keyPair: expected { privateKey, publicKey }');
  }
  const publicKey = p256PublicKey(keyPair.privateKey);
  if (keyPair.publicKey !== undefined && !sameBytes(bytes('keyPair.publicKey', keyPair.publicKey), publicKey)) {
    throw new RangeError('keyPair.publicKey: does not belong to keyPair.privateKey');
  }
  const info = derSequence(
    derUnsigned(0),
    derSequence(derSet(derSequence(derOid(ORGANIZATION_NAME), derUtf8String('CSR')))),
    derSequence(derSequence(derOid(OID.ecPublicKey), derOid(OID.prime256v1)), derBitString(publicKey)),
    derElement(contextTag(0), new Uint8Array(0)),
  );
  const signature = ecdsaRawToDer(ecdsaSignSha256(keyPair.privateKey, info));
  return derSequence(info, derSequence(derOid(OID.ecdsaWithSha256)), derBitString(signature));
}

/**
 * The 65-byte public key of a DER PKCS#10 request, after checking its structure and its self-signature.
 * Throws CertificateError with reason 'bad-csr' otherwise.
 */
export function publicKeyFromCsr(der: Uint8Array): Uint8Array {
  bytes('der', der);
  if (der.length > MAX_CSR_LENGTH) badCsr(`${der.length} bytes; at most ${MAX_CSR_LENGTH}`);
  let publicKey: Uint8Array, info: Uint8Array, signature: Uint8Array;
  try {
    const [infoNode, algorithm, signatureBits] = members(decodeDer(der), DerTag.SEQUENCE, 'CertificationRequest', { min: 3, max: 3 });
    const [version, subject, spki, attributes] = members(infoNode, DerTag.SEQUENCE, 'CertificationRequestInfo', { min: 4, max: 4 });
    if (readSmallUnsigned(version, 'version') !== 0) badCsr('version must be 0 (v1)');
    readName(subject, 'subject');
    publicKey = readPublicKey(spki);
    members(attributes, contextTag(0), 'attributes');
    const [algorithmOid, ...parameters] = members(algorithm, DerTag.SEQUENCE, 'signatureAlgorithm', { min: 1 });
    const oid = readOid(algorithmOid, 'signatureAlgorithm');
    if (oid !== OID.ecdsaWithSha256 || parameters.length) {
      badCsr(`signatureAlgorithm ${oid}; expected ecdsa-with-SHA256 without parameters`);
    }
    signature = ecdsaDerToRaw(readOctetAlignedBits(signatureBits, 'signature'));
    info = infoNode!.encoded;
  } catch (error) {
    if (error instanceof CertificateError && error.reason === 'bad-csr') throw error;
    return badCsr(`malformed request: ${(error as Error).message}`);
  }
  if (!ecdsaVerifySha256(publicKey, info, signature)) {
    badCsr('the self-signature does not verify with the request\'s public key');
  }
  return publicKey.slice();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
