// The commissioner's side of on-network commissioning (Matter Core spec 5.5 "Commissioning Flows", steps for a
// device already on IP): PASE, read what the device is, arm the fail-safe, device attestation, CSR, install the
// root and the NOC, CASE to the new operational identity, CommissioningComplete over CASE, PASE closed. Any failure
// after the fail-safe is armed disarms it (ArmFailSafe with expiry 0) while PASE still stands, so the device rolls
// back what was added and can be commissioned again at once.
import type { TlvElement } from '../codec/tlv.js';
import { decodeNocsrElements, publicKeyFromCsr, verifyDeviceAttestation, type AttestationFinding } from '../credentials/index.js';
import { BasicInformationCluster as BasicInformation } from '../clusters/basic-information.js';
import { CommissioningErrorCode, GeneralCommissioningCluster as GeneralCommissioning } from '../clusters/general-commissioning.js';
import { CertificateChainType, NodeOperationalCertStatus, OperationalCredentialsCluster as OperationalCredentials } from '../clusters/operational-credentials.js';
import { invoke } from '../interaction/invoke-client.js';
import { readAttributes } from '../interaction/read-client.js';
import type { CommandInvocation } from '../clusters/cluster-definition.js';
import { closeSession } from '../protocol/close-session.js';
import { establishCase } from '../protocol/case/case-initiator.js';
import { CaseError } from '../protocol/case/case-error.js';
import type { ExchangeManager } from '../protocol/exchange-manager.js';
import type { MessageChannel } from '../protocol/message-channel.js';
import { establishPase } from '../protocol/pase/pase-initiator.js';
import type { SecureSession } from '../session/secure-session.js';
import { CommissioningError, type CommissioningStep } from './commissioning-error.js';
import type { ControllerFabric } from './controller-fabric.js';

/** What to do when device attestation finds a problem: refuse the device, or commission it and report. */
export type AttestationPolicy = 'reject' | 'report';

export interface CommissionDeviceOptions {
  passcode: number;
  /** The operational node id to give the device. */
  nodeId: bigint;
  /** Seconds the fail-safe stays armed while commissioning runs (default 60). */
  failSafeSeconds?: number;
  /** Default 'report': a test device commissions with its findings listed; 'reject' refuses it. */
  attestationPolicy?: AttestationPolicy;
  /** PAAs trusted for attestation (X.509 DER); default: the official Matter test PAAs (test devices only). */
  trustedPaas?: readonly Uint8Array[];
  /** Certification Declaration signers trusted (X.509 DER); default: the test CD signers (test devices only). */
  certificationDeclarationSigners?: readonly Uint8Array[];
  /** Per-message timeout (ms), default 10 s. */
  timeoutMs?: number;
  /** Time for the device to answer Sigma1 after AddNOC; retried while it says NoSharedTrustRoots (default 15 s). */
  caseRetryMs?: number;
}

export interface AttestationSummary {
  verified: boolean;
  vendorId: number | undefined;
  productId: number | undefined;
  findings: AttestationFinding[];
}

export interface CommissionedDevice {
  nodeId: bigint;
  vendorId: number;
  productId: number;
  fabricIndexOnDevice: number;
  attestation: AttestationSummary;
  /** The CASE session CommissioningComplete went over; still open for the caller. */
  session: SecureSession;
  timings: Record<string, number>;
}

const ENDPOINT_0 = 0;

async function step<T>(name: CommissioningStep, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CommissioningError) throw error;
    throw new CommissioningError(name, (error as Error).message ?? String(error), { cause: error });
  }
}

/** Commissions the device reachable over `channel` into `fabric`; PASE is closed when this settles. */
export async function commissionDevice(exchanges: ExchangeManager, channel: MessageChannel, fabric: ControllerFabric,
  options: CommissionDeviceOptions): Promise<CommissionedDevice> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const failSafeSeconds = options.failSafeSeconds ?? 60;
  const policy = options.attestationPolicy ?? 'report';
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round((now - mark) * 10) / 10;
    mark = now;
  };
  const call = (session: SecureSession, invocation: CommandInvocation) =>
    invoke(exchanges, session, { endpoint: ENDPOINT_0, ...invocation, timeoutMs });

  const pase = await step('pase', () => establishPase(exchanges, channel, { passcode: options.passcode, timeoutMs }));
  lap('paseMs');
  let armed = false;
  try {
    const info = await step('read-basic-information', async () => {
      const reports = await readAttributes(exchanges, pase, [
        { endpoint: ENDPOINT_0, cluster: BasicInformation.id, attribute: BasicInformation.attributes.vendorId.id },
        { endpoint: ENDPOINT_0, cluster: BasicInformation.id, attribute: BasicInformation.attributes.productId.id },
        { endpoint: ENDPOINT_0, cluster: OperationalCredentials.id, attribute: OperationalCredentials.attributes.supportedFabrics.id },
        { endpoint: ENDPOINT_0, cluster: OperationalCredentials.id, attribute: OperationalCredentials.attributes.commissionedFabrics.id },
      ], { timeoutMs });
      const value = (cluster: number, attribute: number): TlvElement => {
        const report = reports.find((r) => r.path.cluster === cluster && r.path.attribute === attribute);
        if (!report || report.data === undefined) throw new Error(`the device returned no value for 0/0x${cluster.toString(16)}/${attribute}`);
        return report.data;
      };
      const vendorId = BasicInformation.attributes.vendorId.type.decode(value(BasicInformation.id, BasicInformation.attributes.vendorId.id), 'VendorID');
      const productId = BasicInformation.attributes.productId.type.decode(value(BasicInformation.id, BasicInformation.attributes.productId.id), 'ProductID');
      const supported = OperationalCredentials.attributes.supportedFabrics.type.decode(value(OperationalCredentials.id, OperationalCredentials.attributes.supportedFabrics.id), 'SupportedFabrics');
      const commissioned = OperationalCredentials.attributes.commissionedFabrics.type.decode(value(OperationalCredentials.id, OperationalCredentials.attributes.commissionedFabrics.id), 'CommissionedFabrics');
      // Spec 11.18.5.3: a device with every fabric slot taken would refuse AddNOC with TableFull; say so first.
      if (commissioned >= supported) throw new Error(`the device's fabric table is full (${commissioned} of ${supported})`);
      return { vendorId: Number(vendorId), productId: Number(productId) };
    });
    lap('readMs');

    await step('arm-fail-safe', async () => {
      const response = GeneralCommissioning.commands.armFailSafe.decodeResponse(await call(pase,
        GeneralCommissioning.commands.armFailSafe.encode({ expiryLengthSeconds: failSafeSeconds, breadcrumb: 1n })));
      if (response.errorCode !== CommissioningErrorCode.ok) throw new Error(`the device answered ${commissioningErrorName(response.errorCode)}${response.debugText ? ` (${response.debugText})` : ''}`);
      armed = true;
    });
    lap('armFailSafeMs');

    // Spec 6.2.3 and 11.18.6.6: the DAC must chain to a trusted PAA and sign the attestation elements and the
    // NOCSR elements over this PASE session's attestation challenge; otherwise a relay could substitute its key.
    const responses = await step('device-attestation', async () => {
      const { certificateChainRequest, attestationRequest } = OperationalCredentials.commands;
      const dac = certificateChainRequest.decodeResponse(await call(pase, certificateChainRequest.encode({ certificateType: CertificateChainType.dac }))).certificate;
      const pai = certificateChainRequest.decodeResponse(await call(pase, certificateChainRequest.encode({ certificateType: CertificateChainType.pai }))).certificate;
      const attestationNonce = crypto.getRandomValues(new Uint8Array(32));
      const response = attestationRequest.decodeResponse(await call(pase, attestationRequest.encode({ attestationNonce })));
      return { dac, pai, attestationNonce, ...response };
    });
    lap('attestationMs');
    const csr = await step('csr', async () => {
      const { csrRequest } = OperationalCredentials.commands;
      const csrNonce = crypto.getRandomValues(new Uint8Array(32));
      return { csrNonce, ...csrRequest.decodeResponse(await call(pase, csrRequest.encode({ csrNonce }))) };
    });
    lap('csrMs');
    const { attestation, operationalPublicKey } = await step('device-attestation', async () => {
      const result = verifyDeviceAttestation({
        dac: responses.dac, pai: responses.pai, attestationElements: responses.attestationElements,
        attestationSignature: responses.attestationSignature, attestationNonce: responses.attestationNonce,
        attestationChallenge: pase.attestationChallenge,
        nocsrElements: csr.nocsrElements, nocsrSignature: csr.attestationSignature, csrNonce: csr.csrNonce,
        vendorId: info.vendorId, productId: info.productId, now: Date.now(),
        ...(options.trustedPaas ? { trustedPaas: options.trustedPaas } : {}),
        ...(options.certificationDeclarationSigners ? { certificationDeclarationSigners: options.certificationDeclarationSigners } : {}),
      });
      const errors = result.findings.filter((f) => f.severity === 'error');
      const summary: AttestationSummary = {
        verified: errors.length === 0, vendorId: result.vendorId, productId: result.productId, findings: result.findings,
      };
      if (policy === 'reject' && errors.length > 0) {
        throw new Error(`device attestation failed: ${errors.map((f) => f.message).join('; ')}`);
      }
      // With policy 'report' a CSR whose NOCSR signature failed is still used (as matter.js does), but only when it
      // echoes our nonce and its own self-signature holds: publicKeyFromCsr checks that.
      let key = result.csrPublicKey;
      if (key === undefined) {
        const elements = decodeNocsrElements(csr.nocsrElements);
        if (!sameBytes(elements.csrNonce, csr.csrNonce)) throw new Error('the CSR response does not echo our CSR nonce');
        key = publicKeyFromCsr(elements.csr);
      }
      return { attestation: summary, operationalPublicKey: key };
    });

    await step('add-trusted-root', async () => {
      await call(pase, OperationalCredentials.commands.addTrustedRootCertificate.encode({ rootCaCertificate: fabric.rcac }));
    });
    const fabricIndexOnDevice = await step('add-noc', async () => {
      const noc = fabric.authority.issueNoc({ publicKey: operationalPublicKey, nodeId: options.nodeId, fabricId: fabric.fabricId });
      const response = OperationalCredentials.commands.addNoc.decodeResponse(await call(pase, OperationalCredentials.commands.addNoc.encode({
        nocValue: noc, ...(fabric.icac ? { icacValue: fabric.icac } : {}), ipkValue: fabric.ipkEpochKey,
        caseAdminSubject: fabric.nodeId, adminVendorId: fabric.vendorId,
      })));
      if (response.statusCode !== NodeOperationalCertStatus.ok) {
        throw new Error(`the device answered ${nocStatusName(response.statusCode)}${response.debugText ? ` (${response.debugText})` : ''}`);
      }
      if (response.fabricIndex === undefined) throw new Error('NOCResponse is Ok but carries no fabric index');
      return response.fabricIndex;
    });
    lap('credentialsMs');

    const caseSession = await step('case', () => caseWithRetry(exchanges, channel, fabric, options.nodeId, timeoutMs, options.caseRetryMs ?? 15_000));
    lap('caseMs');
    await step('commissioning-complete', async () => {
      const { commissioningComplete } = GeneralCommissioning.commands;
      const response = commissioningComplete.decodeResponse(await call(caseSession, commissioningComplete.encode()));
      if (response.errorCode !== CommissioningErrorCode.ok) throw new Error(`the device answered ${commissioningErrorName(response.errorCode)}${response.debugText ? ` (${response.debugText})` : ''}`);
      armed = false;
    });
    // Spec 11.10.7.6: a successful CommissioningComplete ends the commissioning window and the device drops the
    // PASE session itself; a CloseSession now would only wait for an ack that never comes.
    exchanges.sessions.removeSession(pase.id, 'removed');
    lap('completeMs');
    return {
      nodeId: options.nodeId, vendorId: info.vendorId, productId: info.productId, fabricIndexOnDevice,
      attestation, session: caseSession, timings,
    };
  } catch (error) {
    if (armed && !pase.closed) {
      // Spec 11.10.7.2: ArmFailSafe with ExpiryLengthSeconds 0 expires the fail-safe now, rolling back the root and
      // the NOC this attempt added. Best effort: the error that brought us here is what the caller needs.
      await call(pase, GeneralCommissioning.commands.armFailSafe.encode({ expiryLengthSeconds: 0, breadcrumb: 0n })).catch(() => undefined);
    }
    throw error;
  } finally {
    if (!pase.closed) await closeSession(exchanges, pase).catch(() => undefined);
  }
}

/** CASE right after AddNOC: a device may still be installing the fabric, so NoSharedTrustRoots is retried briefly. */
async function caseWithRetry(exchanges: ExchangeManager, channel: MessageChannel, fabric: ControllerFabric, nodeId: bigint,
  timeoutMs: number, retryMs: number): Promise<SecureSession> {
  const deadline = performance.now() + retryMs;
  for (;;) {
    try {
      return (await establishCase(exchanges, channel, { fabric: fabric.caseFabric(), peerNodeId: nodeId, resume: false, timeoutMs })).session;
    } catch (error) {
      if (!(error instanceof CaseError) || error.failure !== 'no-shared-trust-roots' || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function commissioningErrorName(code: number): string {
  const name = Object.entries(CommissioningErrorCode).find(([, v]) => v === code)?.[0];
  return name ? `${name} (${code})` : `error code ${code}`;
}

function nocStatusName(code: number): string {
  const name = Object.entries(NodeOperationalCertStatus).find(([, v]) => v === code)?.[0];
  return name ? `${name} (${code})` : `status ${code}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
