// Device attestation and the credentials' interoperability with matter.js (@matter/protocol, run in a child process
// as an independent peer): a matter.js test device's DAC -> PAI -> official test PAA chain, Certification
// Declaration, AttestationElements and NOCSRElements verified here, then tampered one way at a time; matter.js in
// turn accepts our CSR and our FabricAuthority chain, and we accept its CA's chain.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import * as lib from '../src/index.js';

const script = fileURLToPath(new URL('./peers/matter-credentials-process.ts', import.meta.url));
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface PeerAnswer {
  dac: string; pai: string; dacPublicKey: string; declaration: string; attestationElements: string;
  attestationSignature: string; nocsrElements: string; nocsrSignature: string; operationalPublicKey: string;
  ourCsrKey: string; ourChainVerified: boolean; matterRcac: string; matterIcac: string; matterNoc: string;
}

const ANSWER_MARKER = 'matter-credentials-answer ';

function askMatterJs(request: object): Promise<PeerAnswer> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // the peer is not a node:test worker
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // matter.js logs to stdout too; the answer is the one line that starts with the marker.
      const line = out.split('\n').find((l) => l.startsWith(ANSWER_MARKER));
      if (code !== 0 || !line) reject(new Error(`matter.js peer exited with ${code}: ${err.slice(-2000)}`));
      else {
        try { resolve(JSON.parse(line.slice(ANSWER_MARKER.length)) as PeerAnswer); } catch (error) { reject(error as Error); }
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}

const VENDOR = 0xfff1, PRODUCT = 0x8000;
const attestationNonce = randomBytes(32), csrNonce = randomBytes(32), challenge = randomBytes(16);
const ourKey = lib.generateP256KeyPair();
const ourCsr = lib.createCsr(ourKey);
const ourCa = lib.FabricAuthority.create({ intermediate: true });
const ourNoc = ourCa.issueNoc({ csr: ourCsr, nodeId: 0x55n, fabricId: 3n, caseAuthenticatedTags: [0x00010001] });
const nocKey = lib.generateP256KeyPair();
const request = (vendorId: number) => ({
  vendorId, productId: PRODUCT, attestationNonce: toHex(attestationNonce), csrNonce: toHex(csrNonce),
  challenge: toHex(challenge), ourCsr: toHex(ourCsr), ourRcac: toHex(ourCa.rcac), ourIcac: toHex(ourCa.icac!),
  ourNoc: toHex(ourNoc), nocPublicKey: toHex(nocKey.publicKey),
});

let peer: PeerAnswer;
let otherVendor: PeerAnswer;

function input(overrides: Partial<lib.DeviceAttestationInput> = {}): lib.DeviceAttestationInput {
  return {
    dac: hex(peer.dac), pai: hex(peer.pai), attestationElements: hex(peer.attestationElements),
    attestationSignature: hex(peer.attestationSignature), attestationNonce, attestationChallenge: challenge,
    nocsrElements: hex(peer.nocsrElements), nocsrSignature: hex(peer.nocsrSignature), csrNonce, ...overrides,
  };
}
const codes = (result: lib.DeviceAttestationResult, severity?: 'error' | 'warning') =>
  result.findings.filter((f) => !severity || f.severity === severity).map((f) => f.code).sort();
/** Offset of a letter inside the DAC's subject common name ("node-matter Dev DAC ..."): still DER once flipped. */
function subjectNameAt(der: Uint8Array): number {
  const at = Buffer.from(der).indexOf('Dev DAC');
  assert.ok(at > 0, 'the matter.js DAC subject names itself "... Dev DAC ..."');
  return at + 4;
}
const flip = (bytes: Uint8Array, at: number) => { const copy = bytes.slice(); copy[at]! ^= 0x01; return copy; };

describe('device attestation against a matter.js test device', { timeout: 120_000 }, () => {
  before(async () => {
    [peer, otherVendor] = await Promise.all([askMatterJs(request(VENDOR)), askMatterJs(request(0xfff2))]);
  });

  it('a genuine matter.js attestation verifies against the test PAA: only the test-only warnings remain', () => {
    const result = lib.verifyDeviceAttestation(input({ vendorId: VENDOR, productId: PRODUCT, now: Date.now() }));
    assert.deepEqual(codes(result, 'error'), [], JSON.stringify(result.findings));
    assert.deepEqual(codes(result, 'warning'), ['cd-not-official', 'paa-test-only']);
    assert.equal(result.vendorId, VENDOR);
    assert.equal(result.productId, PRODUCT);
    assert.equal(toHex(result.csrPublicKey!), peer.operationalPublicKey, 'the CSR key comes out of the NOCSR elements');
    assert.equal(result.certificationDeclaration?.content.vendorId, VENDOR);
    assert.deepEqual(result.certificationDeclaration?.content.productIds, [PRODUCT]);
    assert.equal(toHex(lib.parseAttestationCertificate(hex(peer.dac)).publicKey), peer.dacPublicKey);
  });

  it('the Certification Declaration signature verifies with the test CD signer (and fails once altered)', () => {
    const declaration = lib.parseCertificationDeclaration(hex(peer.declaration));
    assert.equal(lib.verifyCertificationDeclaration(declaration, lib.TEST_CD_SIGNER), true);
    const altered = { ...declaration, signedContent: flip(declaration.signedContent, 3) };
    assert.equal(lib.verifyCertificationDeclaration(altered, lib.TEST_CD_SIGNER), false);
    assert.equal(lib.verifyCertificationDeclaration(declaration, lib.TEST_PAA_NO_VID), false, 'another certificate is not the signer');
  });

  // The optional fourth entry lists findings that may also appear: the two peers made their certificates a moment
  // apart, so whether the DAC predates the other PAI depends on the clock's second.
  const tampered: Array<[string, () => Partial<lib.DeviceAttestationInput>, lib.AttestationFindingCode[], lib.AttestationFindingCode[]?]> = [
    ['attestation signature altered', () => ({ attestationSignature: flip(hex(peer.attestationSignature), 10) }), ['attestation-signature-invalid']],
    ['another session\'s challenge', () => ({ attestationChallenge: randomBytes(16) }), ['attestation-signature-invalid', 'nocsr-signature-invalid']],
    ['another attestation nonce', () => ({ attestationNonce: randomBytes(32) }), ['attestation-nonce-mismatch']],
    ['another CSR nonce', () => ({ csrNonce: randomBytes(32) }), ['csr-nonce-mismatch']],
    ['NOCSR signature altered', () => ({ nocsrSignature: flip(hex(peer.nocsrSignature), 5) }), ['nocsr-signature-invalid']],
    ['DAC TBS altered (one bit of its subject common name)', () => ({ dac: flip(hex(peer.dac), subjectNameAt(hex(peer.dac))) }), ['chain-signature']],
    ['only the vendor 0xFFF1 test PAA trusted', () => ({ trustedPaas: [lib.TEST_PAA_FFF1] }), ['paa-not-trusted']],
    ['no CD signer trusted', () => ({ certificationDeclarationSigners: [] }), ['cd-signer-unknown']],
    ['BasicInformation product id not in the declaration', () => ({ productId: PRODUCT + 1 }), ['cd-product-id-mismatch']],
    ['BasicInformation vendor id not the declaration\'s', () => ({ vendorId: 0xfff3 }), ['cd-vendor-id-mismatch']],
    ['checked a century later', () => ({ now: Date.UTC(2126, 0, 1) }), ['chain-expired']],
    ['DAC not DER', () => ({ dac: hex(peer.dac).subarray(0, 100) }), ['dac-malformed']],
    ['attestation elements not TLV', () => ({ attestationElements: hex(peer.attestationElements).subarray(0, 40) }), ['attestation-elements-malformed']],
    ['PAI of another vendor', () => ({ pai: hex(otherVendor.pai) }), ['cd-vendor-id-mismatch', 'chain-issuer', 'chain-key-id', 'chain-signature', 'vendor-id-mismatch'], ['chain-not-yet-valid']],
  ];
  for (const [name, overrides, expected, tolerated = []] of tampered) {
    it(`tampered: ${name} -> ${expected.join(', ')}`, () => {
      const result = lib.verifyDeviceAttestation(input(overrides()));
      const errors = codes(result, 'error');
      for (const code of expected) assert.ok(errors.includes(code), `${code} missing from ${JSON.stringify(result.findings)}`);
      const unexpected = errors.filter((code) => !expected.includes(code) && !tolerated.includes(code));
      assert.deepEqual(unexpected, [], `unexpected findings: ${JSON.stringify(result.findings)}`);
    });
  }

  it('arguments of the wrong type or length throw, naming them', () => {
    assert.throws(() => lib.verifyDeviceAttestation(input({ attestationChallenge: new Uint8Array(15) })), /attestationChallenge/);
    assert.throws(() => lib.verifyDeviceAttestation(input({ dac: 'x' as unknown as Uint8Array })), /dac/);
  });
});

describe('credentials interoperate with matter.js', { timeout: 120_000 }, () => {
  before(async () => { peer ??= await askMatterJs(request(VENDOR)); });

  it('matter.js reads the public key from our CSR and verifies our RCAC -> ICAC -> NOC', () => {
    assert.equal(peer.ourCsrKey, toHex(ourKey.publicKey));
    assert.equal(peer.ourChainVerified, true);
  });

  it('our validator accepts the chain matter.js\'s CertificateAuthority issues', () => {
    const result = lib.validateOperationalChain({ rcac: hex(peer.matterRcac), icac: hex(peer.matterIcac), noc: hex(peer.matterNoc), now: new Date() });
    assert.equal(result.nodeId, 0x1234n);
    assert.equal(result.fabricId, 0x77n);
    assert.equal(toHex(result.publicKey), toHex(nocKey.publicKey));
    for (const tlv of [peer.matterRcac, peer.matterIcac, peer.matterNoc]) {
      assert.equal(toHex(lib.certificateFromDer(lib.certificateToDer(hex(tlv)))), tlv, 'matter.js TLV survives DER and back');
    }
  });

  it('the CSR of a matter.js node gives our CA its key (self-signature checked)', () => {
    const answer = lib.publicKeyFromCsr(lib.decodeNocsrElements(hex(peer.nocsrElements)).csr);
    assert.equal(toHex(answer), peer.operationalPublicKey);
  });
});
