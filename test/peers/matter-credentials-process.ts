// matter.js (@matter/protocol 0.17.9) as an independent peer for the credentials tests, in a child process of its
// own (matter.js installs process-wide state when imported; see matter-device.ts). Reads one JSON request on stdin,
// writes one JSON answer on stdout:
//  - a test device's attestation material, made the way a matter.js device makes it (AttestationCertificateManager
//    under the official test PAA, CertificationDeclaration.generate, DAC-signed AttestationElements and
//    NOCSRElements over the given challenge);
//  - matter.js's verdict on our CSR (getPublicKeyFromCsr) and on our FabricAuthority chain (Rcac/Icac/Noc.verify);
//  - a chain from matter.js's own CertificateAuthority, for our validator.
import {
  AttestationCertificateManager, Certificate, CertificateAuthority, CertificationDeclaration, Icac, Noc, Rcac,
  TlvAttestation, TlvCertSigningRequest,
} from '@matter/protocol';
import { Bytes, StandardCrypto } from '@matter/general';
import { FabricId, NodeId, VendorId } from '@matter/types';

interface Request {
  vendorId: number; productId: number; attestationNonce: string; csrNonce: string; challenge: string;
  ourCsr: string; ourRcac: string; ourIcac: string; ourNoc: string; nocPublicKey: string;
}

const hex = (b: Bytes) => Bytes.toHex(b);
const bin = (s: string) => Bytes.fromHex(s);

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Request;
  const crypto = new StandardCrypto();

  const manager = await AttestationCertificateManager.create(crypto, VendorId(request.vendorId));
  const { keyPair: dacKey, dac } = await manager.getDACert(request.productId);
  const pai = await manager.getPAICert();
  const declaration = await CertificationDeclaration.generate(crypto, VendorId(request.vendorId), request.productId);
  const attestationElements = TlvAttestation.encode({
    declaration, attestationNonce: bin(request.attestationNonce), timestamp: 0,
  });
  const operationalKey = await crypto.createKeyPair();
  const csr = await Certificate.createCertificateSigningRequest(crypto, operationalKey);
  const nocsrElements = TlvCertSigningRequest.encode({ certSigningRequest: csr, csrNonce: bin(request.csrNonce) });
  const challenge = bin(request.challenge);
  const sign = async (data: Bytes) => (await crypto.signEcdsa(dacKey, [data, challenge])).bytes;

  // Our artefacts, judged by matter.js.
  const ourCsrKey = await Certificate.getPublicKeyFromCsr(crypto, bin(request.ourCsr));
  const rcac = Rcac.fromTlv(bin(request.ourRcac));
  await rcac.verify(crypto);
  const icac = Icac.fromTlv(bin(request.ourIcac));
  await icac.verify(crypto, rcac);
  await Noc.fromTlv(bin(request.ourNoc)).verify(crypto, rcac, icac);

  // matter.js's CA, for our validator.
  const ca = await CertificateAuthority.create(crypto, true);
  const matterNoc = await ca.generateNoc(bin(request.nocPublicKey), FabricId(0x77n), NodeId(0x1234n), []);

  // One marked line: matter.js's logger writes to stdout as well.
  process.stdout.write('\nmatter-credentials-answer ' + JSON.stringify({
    dac: hex(dac), pai: hex(pai), dacPublicKey: hex(dacKey.publicKey), declaration: hex(declaration),
    attestationElements: hex(attestationElements), attestationSignature: hex(await sign(attestationElements)),
    nocsrElements: hex(nocsrElements), nocsrSignature: hex(await sign(nocsrElements)),
    operationalPublicKey: hex(operationalKey.publicKey), ourCsrKey: hex(ourCsrKey), ourChainVerified: true,
    matterRcac: hex(ca.rootCert), matterIcac: hex(ca.icacCert!), matterNoc: hex(matterNoc),
  }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
