// The Operational Credentials cluster server (Matter Core spec §11.18, cluster 0x003E) on the root endpoint: device
// attestation (certificate chain, AttestationRequest signed by the DAC over elements ‖ the session's attestation
// challenge), CSRRequest (a fresh operational key per fail-safe context, NOCSR elements signed the same way),
// AddTrustedRootCertificate, AddNOC / UpdateNOC (chain validated, the NOC's key must be the CSR's), UpdateFabricLabel,
// RemoveFabric, and the attributes NOCs, Fabrics, SupportedFabrics, CommissionedFabrics, TrustedRootCertificates and
// CurrentFabricIndex. NOCResponse status codes follow §11.18.6.9 (NodeOperationalCertStatusEnum).
import { encodeTlv, tlv } from '../codec/tlv.js';
import {
  CertificateChainType, NodeOperationalCertStatus as NocStatus, OperationalCredentialsCluster as Cluster,
} from '../clusters/operational-credentials.js';
import { serveCommand } from '../clusters/serve-command.js';
import { createCsr, decodeOperationalCertificate, validateOperationalChain } from '../credentials/index.js';
import { tbsCertificateDer } from '../credentials/certificate-der.js';
import { decodeMatterCertificate } from '../credentials/matter-certificate.js';
import { ecdsaSignSha256, ecdsaVerifySha256, generateP256KeyPair } from '../crypto/p256.js';
import type { InteractionContext, ServedCluster } from '../interaction/interaction-server.js';
import { InteractionStatusError } from '../interaction/interaction-status-error.js';
import { InteractionModelStatus as Status } from '../interaction/status-codes.js';
import { AclAuthModeValue, AclPrivilegeLevel, isValidCaseAdminSubject } from './access-control-entry.js';
import type { DeviceContext } from './device-context.js';
import type { FailSafeContext } from './fail-safe.js';

const concat = (a: Uint8Array, b: Uint8Array) => { const out = new Uint8Array(a.length + b.length); out.set(a); out.set(b, a.length); return out; };
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function nocResponse(statusCode: number, debugText?: string, fabricIndex?: number) {
  return { statusCode, ...(fabricIndex === undefined ? {} : { fabricIndex }), ...(debugText ? { debugText: debugText.slice(0, 128) } : {}) };
}

function requireFailSafe(device: DeviceContext, what: string): FailSafeContext {
  const context = device.failSafe.context;
  if (!context) throw new InteractionStatusError(Status.failsafeRequired, `${what} needs an armed fail-safe`);
  return context;
}

/** A root certificate must be a self-signed CA that names an RCAC id (spec §6.5.6). */
function checkRoot(rcac: Uint8Array): void {
  const info = decodeOperationalCertificate(rcac);
  if (info.rcacId === undefined || info.basicConstraints?.isCa !== true || info.nodeId !== undefined) {
    throw new Error('not a root CA certificate');
  }
  const certificate = decodeMatterCertificate(rcac);
  if (!ecdsaVerifySha256(info.publicKey, tbsCertificateDer(certificate), certificate.signature)) throw new Error('its self-signature does not verify');
}

export function operationalCredentialsServer(device: DeviceContext): ServedCluster {
  const { commands: c, attributes: a } = Cluster;
  const changed = (...attributes: number[]) => { for (const id of attributes) device.changed(0, Cluster.id, id); };
  /** Spec §11.18.4.5: attestation and NOCSR elements are signed with the DAC over elements ‖ AttestationChallenge. */
  const signWithDac = (elements: Uint8Array, context: InteractionContext) =>
    ecdsaSignSha256(device.attestation.dacPrivateKey, concat(elements, context.session.attestationChallenge));

  return {
    attributes: {
      [a.nocs.id]: {
        readPrivilege: 'administer',
        // Fabric-sensitive: a reader sees its own fabric's NOC only.
        value: (context) => {
          const index = context ? device.fabricOf(context) : undefined;
          const record = index === undefined ? undefined : device.fabrics.record(index);
          return a.nocs.type.encode(record ? [{ noc: record.noc, icac: record.icac ?? null, fabricIndex: record.fabricIndex }] : [], 'NOCs');
        },
      },
      [a.fabrics.id]: {
        value: () => a.fabrics.type.encode(device.fabrics.records().map((r) => device.fabrics.descriptor(r.fabricIndex)!), 'Fabrics'),
      },
      [a.supportedFabrics.id]: { value: tlv.uint(device.fabrics.supportedFabrics) },
      [a.commissionedFabrics.id]: { value: () => tlv.uint(device.fabrics.size) },
      [a.trustedRootCertificates.id]: {
        value: () => {
          const roots = device.fabrics.records().map((r) => r.rcac);
          const pending = device.failSafe.context?.rootCertificate;
          if (pending && device.failSafe.context?.addedFabricIndex === undefined) roots.push(pending);
          return tlv.array(roots.map((r) => tlv.bytes(r)));
        },
      },
      [a.currentFabricIndex.id]: { value: (context) => tlv.uint(context ? device.fabricOf(context) ?? 0 : 0) },
    },
    commands: {
      [c.certificateChainRequest.id]: serveCommand(c.certificateChainRequest, ({ certificateType }) => {
        if (certificateType === CertificateChainType.dac) return { certificate: device.attestation.dac };
        if (certificateType === CertificateChainType.pai) return { certificate: device.attestation.pai };
        throw new InteractionStatusError(Status.invalidCommand, `CertificateType: expected 1 (DAC) or 2 (PAI), got ${certificateType}`);
      }, { privilege: 'administer' }),

      [c.attestationRequest.id]: serveCommand(c.attestationRequest, ({ attestationNonce }, context) => {
        const elements = encodeTlv(tlv.struct([
          tlv.bytes(device.attestation.certificationDeclaration, 1), tlv.bytes(attestationNonce, 2),
          tlv.uint(0, 3), // no trusted time source: timestamp 0 (spec §11.18.4.7)
        ]));
        return { attestationElements: elements, attestationSignature: signWithDac(elements, context) };
      }, { privilege: 'administer' }),

      [c.csrRequest.id]: serveCommand(c.csrRequest, ({ csrNonce, isForUpdateNoc }, context) => device.withFailSafe(() => {
        const failSafe = requireFailSafe(device, 'CSRRequest');
        // Spec §11.18.6.5: not after AddNOC/UpdateNOC in this context; UpdateNOC's CSR only over CASE.
        if (failSafe.addedFabricIndex !== undefined || failSafe.previousRecord !== undefined) {
          throw new InteractionStatusError(Status.constraintError, 'CSRRequest: a NOC was already installed in this fail-safe');
        }
        if (isForUpdateNoc === true && context.authMode !== 'case') {
          throw new InteractionStatusError(Status.invalidCommand, 'CSRRequest: IsForUpdateNOC needs a CASE session');
        }
        failSafe.csr?.keyPair.privateKey.fill(0);
        const keyPair = generateP256KeyPair();
        failSafe.csr = { keyPair, sessionId: context.session.id, forUpdateNoc: isForUpdateNoc === true };
        const elements = encodeTlv(tlv.struct([tlv.bytes(createCsr(keyPair), 1), tlv.bytes(csrNonce, 2)]));
        return { nocsrElements: elements, attestationSignature: signWithDac(elements, context) };
      }), { privilege: 'administer' }),

      [c.addTrustedRootCertificate.id]: serveCommand(c.addTrustedRootCertificate, ({ rootCaCertificate }) => device.withFailSafe(() => {
        const failSafe = requireFailSafe(device, 'AddTrustedRootCertificate');
        // Spec §11.18.6.13: once per fail-safe, before AddNOC.
        if (failSafe.rootCertificate !== undefined || failSafe.addedFabricIndex !== undefined || failSafe.previousRecord !== undefined) {
          throw new InteractionStatusError(Status.constraintError, 'AddTrustedRootCertificate: a root was already added in this fail-safe');
        }
        try {
          checkRoot(rootCaCertificate);
        } catch (error) {
          throw new InteractionStatusError(Status.invalidCommand, `RootCACertificate: ${(error as Error).message}`);
        }
        failSafe.rootCertificate = rootCaCertificate.slice();
        changed(a.trustedRootCertificates.id);
      }), { privilege: 'administer' }),

      [c.addNoc.id]: serveCommand(c.addNoc, ({ nocValue, icacValue, ipkValue, caseAdminSubject, adminVendorId }, context) => device.withFailSafe(async () => {
        const failSafe = requireFailSafe(device, 'AddNOC');
        if (failSafe.addedFabricIndex !== undefined || failSafe.previousRecord !== undefined) {
          throw new InteractionStatusError(Status.constraintError, 'AddNOC: a NOC was already installed in this fail-safe');
        }
        if (!failSafe.rootCertificate) return nocResponse(NocStatus.invalidNoc, 'no trusted root was added in this fail-safe');
        if (!failSafe.csr || failSafe.csr.forUpdateNoc || failSafe.csr.sessionId !== context.session.id) {
          return nocResponse(NocStatus.missingCsr, 'no CSRRequest for AddNOC on this session');
        }
        const fabricIndex = device.fabrics.nextFabricIndex();
        if (fabricIndex === undefined) return nocResponse(NocStatus.tableFull, `all ${device.fabrics.supportedFabrics} fabrics are in use`);
        let chain;
        try {
          chain = validateOperationalChain({ rcac: failSafe.rootCertificate, noc: nocValue, ...(icacValue?.length ? { icac: icacValue } : {}), now: device.wallClock() });
        } catch (error) {
          return nocResponse(NocStatus.invalidNoc, (error as Error).message);
        }
        if (!sameBytes(chain.publicKey, failSafe.csr.keyPair.publicKey)) return nocResponse(NocStatus.invalidPublicKey, 'the NOC is not for the CSR\'s key');
        if (!isValidCaseAdminSubject(caseAdminSubject)) return nocResponse(NocStatus.invalidAdminSubject, `CaseAdminSubject 0x${caseAdminSubject.toString(16)}`);
        if (device.fabrics.findByRoot(chain.rootPublicKey, chain.fabricId) !== undefined) {
          return nocResponse(NocStatus.fabricConflict, 'this node is already on that fabric');
        }
        await device.fabrics.add({
          fabricIndex, rcac: failSafe.rootCertificate, icac: icacValue?.length ? icacValue : undefined, noc: nocValue,
          operationalPrivateKey: failSafe.csr.keyPair.privateKey.slice(), ipkEpochKey: ipkValue.slice(), vendorId: adminVendorId,
          label: '', pending: true,
        });
        failSafe.addedFabricIndex = fabricIndex;
        // Spec §11.18.6.8: the admin subject gets Administer over CASE on the whole node.
        await device.fabrics.setAcl(fabricIndex, [{
          fabricIndex, privilege: AclPrivilegeLevel.administer, authMode: AclAuthModeValue.case, subjects: [caseAdminSubject], targets: null,
        }]);
        if (context.authMode === 'pase') device.attachToFabric(context.session, fabricIndex);
        changed(a.nocs.id, a.fabrics.id, a.commissionedFabrics.id, a.trustedRootCertificates.id);
        device.changed(0, 0x001f, 0);
        return nocResponse(NocStatus.ok, undefined, fabricIndex);
      }), { privilege: 'administer' }),

      [c.updateNoc.id]: serveCommand(c.updateNoc, ({ nocValue, icacValue }, context) => device.withFailSafe(async () => {
        const failSafe = requireFailSafe(device, 'UpdateNOC');
        const fabricIndex = device.fabricOf(context);
        if (context.authMode !== 'case' || fabricIndex === undefined) {
          throw new InteractionStatusError(Status.invalidCommand, 'UpdateNOC needs a CASE session on the fabric');
        }
        if (failSafe.addedFabricIndex !== undefined || failSafe.previousRecord !== undefined || failSafe.rootCertificate !== undefined) {
          throw new InteractionStatusError(Status.constraintError, 'UpdateNOC: credentials were already changed in this fail-safe');
        }
        if (!failSafe.csr || !failSafe.csr.forUpdateNoc || failSafe.csr.sessionId !== context.session.id) {
          return nocResponse(NocStatus.missingCsr, 'no CSRRequest with IsForUpdateNOC on this session');
        }
        const record = device.fabrics.record(fabricIndex)!;
        let chain;
        try {
          chain = validateOperationalChain({ rcac: record.rcac, noc: nocValue, ...(icacValue?.length ? { icac: icacValue } : {}), now: device.wallClock() });
        } catch (error) {
          return nocResponse(NocStatus.invalidNoc, (error as Error).message);
        }
        if (chain.fabricId !== device.fabrics.get(fabricIndex)!.fabricId) return nocResponse(NocStatus.invalidNoc, 'the NOC is for another fabric id');
        if (!sameBytes(chain.publicKey, failSafe.csr.keyPair.publicKey)) return nocResponse(NocStatus.invalidPublicKey, 'the NOC is not for the CSR\'s key');
        failSafe.previousRecord = record;
        await device.fabrics.update({
          ...record, noc: nocValue, icac: icacValue?.length ? icacValue : undefined, operationalPrivateKey: failSafe.csr.keyPair.privateKey.slice(),
        });
        changed(a.nocs.id, a.fabrics.id);
        return nocResponse(NocStatus.ok, undefined, fabricIndex);
      }), { privilege: 'administer' }),

      [c.updateFabricLabel.id]: serveCommand(c.updateFabricLabel, async ({ label }, context) => {
        const fabricIndex = device.fabricOf(context);
        const record = fabricIndex === undefined ? undefined : device.fabrics.record(fabricIndex);
        if (!record) throw new InteractionStatusError(Status.unsupportedAccess, 'UpdateFabricLabel: the session has no fabric');
        if (label !== '' && device.fabrics.records().some((r) => r.fabricIndex !== fabricIndex && r.label === label)) {
          return nocResponse(NocStatus.labelConflict, `another fabric is labelled "${label}"`);
        }
        await device.fabrics.update({ ...record, label });
        changed(a.fabrics.id);
        return nocResponse(NocStatus.ok, undefined, fabricIndex);
      }, { privilege: 'administer' }),

      [c.removeFabric.id]: serveCommand(c.removeFabric, async ({ fabricIndex }) => {
        if (!device.fabrics.record(fabricIndex)) return nocResponse(NocStatus.invalidFabricIndex, `no fabric ${fabricIndex}`);
        await device.removeFabric(fabricIndex);
        changed(a.nocs.id, a.fabrics.id, a.commissionedFabrics.id, a.trustedRootCertificates.id);
        return nocResponse(NocStatus.ok, undefined, fabricIndex);
      }, { privilege: 'administer' }),
    },
  };
}
