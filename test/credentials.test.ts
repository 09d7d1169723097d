// Credentials in Node: the strict DER decoder under fuzzing (only typed errors; whatever is accepted converts back
// to the same bytes), the DER writer against the reader, and X.509 output checked by node:crypto (OpenSSL).
import assert from 'node:assert/strict';
import { X509Certificate as NodeX509, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as lib from '../src/index.js';
import { decodeDer, readOctetAlignedBits, readOid, readSmallUnsigned, readTime } from '../src/credentials/der-reader.js';
import { derOid, derTime, derUnsigned } from '../src/credentials/der-writer.js';
import { readVectors } from './conformance/suite-data.js';
import type { CredentialsSuiteData } from './conformance/credentials-suite.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const certificates = readVectors<CredentialsSuiteData['certificates']>('operational-certificates.json');
const allDer = certificates.sets.flatMap((set) => (['ROOT', 'ICAC', 'NOC'] as const)
  .flatMap((role) => (set[role] ? [hex(set[role]!.signedDerComputed)] : [])));
const allTlv = certificates.sets.flatMap((set) => (['ROOT', 'ICAC', 'NOC'] as const)
  .flatMap((role) => (set[role] ? [hex(set[role]!.tlv)] : [])));

/** Runs fn; any throw must be a CertificateError with a reason. Returns the result or undefined. */
function typedOnly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof lib.CertificateError) || typeof error.reason !== 'string') {
      assert.fail(`expected a CertificateError, got ${(error as Error)?.name}: ${(error as Error)?.message}`);
    }
    return undefined;
  }
}

/** A mutated copy of one of the vectors: flipped, inserted, deleted or truncated bytes. */
const mutated = (inputs: Uint8Array[]) => fc.tuple(fc.constantFrom(...inputs), fc.array(fc.tuple(
  fc.constantFrom('flip', 'insert', 'delete', 'truncate'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
  .map(([input, edits]) => {
    let bytes = [...input];
    for (const [kind, at, value] of edits) {
      const i = at % Math.max(1, bytes.length);
      if (kind === 'flip') bytes[i] = (bytes[i] ?? 0) ^ (value || 1);
      else if (kind === 'insert') bytes.splice(i, 0, value);
      else if (kind === 'delete') bytes.splice(i, 1);
      else bytes = bytes.slice(0, i);
    }
    return Uint8Array.from(bytes);
  });

describe('DER decoder fuzz', () => {
  it('random bytes: decodeDer and certificateFromDer throw only CertificateError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      typedOnly(() => decodeDer(bytes));
      typedOnly(() => lib.certificateFromDer(bytes));
    }), { numRuns: 3000 });
  });

  it('random DER-shaped input (SEQUENCE headers over random content) throws only CertificateError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0x30, 0x31, 0xa0, 0xa3, 0x02, 0x06, 0x03, 0x17, 0x18, 0x0c, 0x13),
      (content, tag) => {
        const bytes = Uint8Array.from([tag, ...(content.length < 128 ? [content.length] : [0x81, content.length]), ...content]);
        typedOnly(() => decodeDer(bytes));
        typedOnly(() => lib.parseX509Certificate(bytes));
      }), { numRuns: 3000 });
  });

  it('mutated certificates: typed errors only, and whatever converts comes back byte for byte', () => {
    fc.assert(fc.property(mutated(allDer), (der) => {
      const tlv = typedOnly(() => lib.certificateFromDer(der));
      if (tlv) assert.deepEqual(lib.certificateToDer(tlv), der, 'an accepted DER certificate must convert back to itself');
    }), { numRuns: 4000 });
  });

  it('mutated TLV certificates: typed errors only', () => {
    fc.assert(fc.property(mutated(allTlv), (tlv) => {
      const der = typedOnly(() => lib.certificateToDer(tlv));
      if (der) typedOnly(() => lib.certificateFromDer(der));
    }), { numRuns: 4000 });
  });

  it('strictness: indefinite and non-minimal lengths, padded integers, constructed strings, BOOLEAN 0x01', () => {
    const cases: Array<[string, string]> = [
      ['indefinite length', '30800000'],
      ['non-minimal long length', '308102050000'],
      ['leading zero length octet', '30820002' + '0500'],
      ['padded INTEGER', '02020001'],
      ['padded negative INTEGER', '0202ff80'],
      ['empty INTEGER', '0200'],
      ['BOOLEAN 0x01', '010101'],
      ['constructed OCTET STRING', '2403040100'],
      ['OID arc with leading 0x80', '0603808001'],
      ['BIT STRING with non-zero padding', '03020101'],
      ['UTCTime without seconds', '170b323130363130303030305a'],
      ['UTCTime on 31 February', '170d3231303233313030303030305a'],
      ['high tag number', '1f2100'],
      ['trailing byte', '050000'],
      ['length past the end', '3005020101'],
    ];
    for (const [what, input] of cases) {
      assert.throws(() => decodeDer(hex(input)), (e: unknown) => e instanceof lib.CertificateError && e.reason === 'malformed-der', what);
    }
  });
});

describe('DER writer against the reader', () => {
  it('INTEGER, OBJECT IDENTIFIER and time round trips', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 52n) }), (n) => {
      assert.equal(BigInt(readSmallUnsigned(decodeDer(derUnsigned(n)), 'n')), n);
    }));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.nat(), { maxLength: 8 }),
      (a, b, rest) => {
        const oid = [a, b, ...rest].join('.');
        assert.equal(readOid(decodeDer(derOid(oid)), 'oid'), oid);
      }));
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1950, 0, 1) / 1000, max: Date.UTC(9999, 11, 31, 23, 59, 59) / 1000 }), (seconds) => {
      const encoded = derTime(seconds);
      assert.equal(readTime(decodeDer(encoded), 'time'), seconds);
      assert.equal(encoded[0], new Date(seconds * 1000).getUTCFullYear() < 2050 ? 0x17 : 0x18);
    }));
  });
});

describe('X.509 output read by node:crypto', () => {
  it('every converted vector certificate parses in OpenSSL, and each signature verifies against its issuer', () => {
    for (const set of certificates.sets) {
      const root = new NodeX509(lib.certificateToDer(hex(set.ROOT.tlv)));
      assert.ok(root.verify(root.publicKey), `${set.name}: root self-signature`);
      const icac = set.ICAC ? new NodeX509(lib.certificateToDer(hex(set.ICAC.tlv))) : undefined;
      if (icac) assert.ok(icac.verify(root.publicKey), `${set.name}: ICAC signed by the root`);
      const noc = new NodeX509(lib.certificateToDer(hex(set.NOC.tlv)));
      assert.ok(noc.verify((icac ?? root).publicKey), `${set.name}: NOC signed by its issuer`);
      assert.equal(noc.checkIssued(icac ?? root), true, `${set.name}: OpenSSL sees the issuer name and key id match`);
    }
  });
});

/** A DER element with a short or two-byte length. */
function der(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  return Uint8Array.from([tag, ...(n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]), ...content]);
}

describe('PKCS#10 both ways with node:crypto', () => {
  it('createCsr: OpenSSL verifies the self-signature over the request info with the request\'s own key', () => {
    const keys = lib.generateP256KeyPair();
    const csr = lib.createCsr(keys);
    const [info, , signature] = decodeDer(csr).children!;
    const spki = info!.children![2]!.encoded;
    const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const jwk = publicKey.export({ format: 'jwk' });
    assert.equal(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]).toString('hex'),
      Buffer.from(keys.publicKey).toString('hex'));
    assert.ok(nodeVerify('sha256', info!.encoded, publicKey, readOctetAlignedBits(signature, 'signature')));
  });

  it('publicKeyFromCsr: a request signed by OpenSSL gives its key; altered, it is refused as bad-csr', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const info = der(0x30, Buffer.concat([hex('020100'), hex('300e310c300a060355040a0c03435352'), spki, hex('a000')]));
    const signature = nodeSign('sha256', info, privateKey);
    const csr = der(0x30, Buffer.concat([info, hex('300a06082a8648ce3d040302'), der(0x03, Buffer.concat([Buffer.of(0), signature]))]));
    assert.equal(Buffer.from(lib.publicKeyFromCsr(csr)).toString('hex'), Buffer.from(spki.subarray(spki.length - 65)).toString('hex'));
    const altered = csr.slice();
    const at = Buffer.from(csr).indexOf('CSR');
    altered[at] = altered[at]! ^ 0x01; // O=CSR -> O=BSR: still DER, no longer what was signed
    assert.throws(() => lib.publicKeyFromCsr(altered),
      (e: unknown) => e instanceof lib.CertificateError && e.reason === 'bad-csr' && /self-signature/.test(e.message));
  });
});

describe('FabricAuthority certificates read by node:crypto', () => {
  it('RCAC -> ICAC -> NOC: OpenSSL parses each, verifies each signature and matches issuers', () => {
    const ca = lib.FabricAuthority.create({ intermediate: true, fabricId: 0x99n });
    const noc = ca.issueNoc({ publicKey: lib.generateP256KeyPair().publicKey, nodeId: 0x10n, fabricId: 0x99n });
    const [root, icac, leaf] = [ca.rcac, ca.icac!, noc].map((tlv) => new NodeX509(lib.certificateToDer(tlv)));
    assert.ok(root!.verify(root!.publicKey));
    assert.ok(icac!.verify(root!.publicKey));
    assert.ok(leaf!.verify(icac!.publicKey));
    assert.ok(leaf!.checkIssued(icac!) && icac!.checkIssued(root!));
    assert.equal(leaf!.ca, false);
    assert.equal(icac!.ca, true);
    assert.deepEqual(leaf!.keyUsage, ['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']);
  });
});
