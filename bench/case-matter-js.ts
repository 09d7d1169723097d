// matter.js's own CASE, for comparison: its CaseClient against its CaseServer (@matter/protocol 0.17.9) in one
// process, on certificates from our FabricAuthority, with node:crypto (matter.js's default on Node) or
// StandardCrypto (what it uses where node:crypto is missing). Messages pass between matter.js's mock exchanges
// directly, so only the handshakes themselves are measured, as in our figure.
import { Bytes, Logger, StandardCrypto, type Crypto } from '@matter/general';
import { NodeJsCrypto } from '@matter/nodejs';
import {
  CaseClient, CaseServer, Fabric, FabricNotFoundError, NodeSession, ProtocolMocks, SessionParameters, SessionType,
} from '@matter/protocol';
import { FabricId, FabricIndex, NodeId, VendorId } from '@matter/types';
import { p256PublicKey } from '../src/index.js';
import type { TestFabric } from '../test/support/case-fabrics.js';

Logger.level = 'error';

async function fabricFor(crypto: Crypto, fabric: TestFabric, nodeId: bigint): Promise<Fabric> {
  const { noc, privateKey } = fabric.issue(nodeId);
  return Fabric.create(crypto, {
    fabricIndex: FabricIndex(1), fabricId: FabricId(fabric.fabricId), nodeId: NodeId(nodeId), rootNodeId: NodeId(nodeId),
    keyPair: { publicKey: p256PublicKey(privateKey), privateKey }, rootVendorId: VendorId(0xfff1),
    rootCert: fabric.authority.rcac, identityProtectionKey: fabric.epochKey, intermediateCACert: fabric.authority.icac,
    operationalCert: noc, label: 'bench',
  });
}

function sessionsStub(crypto: Crypto) {
  let record: { resumptionId: Uint8Array } | undefined;
  let nextId = 1;
  return {
    sessionParameters: SessionParameters(SessionParameters.defaults),
    sessions: { add() {} },
    getNextAvailableSessionId: async () => (nextId = (nextId % 0xfffe) + 1),
    findResumptionRecordByAddress: () => record,
    findResumptionRecordById: (id: Uint8Array) => (record && Bytes.areEqual(record.resumptionId, id) ? record : undefined),
    saveResumptionRecord: async (r: { resumptionId: Uint8Array }) => { record = r; },
    createSecureSession: (args: Record<string, unknown>) => NodeSession.create({ ...args, crypto } as never),
    forget: () => { record = undefined; },
  };
}

/** A function running one matter.js handshake (full, or resumed from the record the previous one left). */
export async function matterJsCase(cryptoName: 'node:crypto' | 'StandardCrypto', fabric: TestFabric, controller: bigint, device: bigint) {
  const crypto: Crypto = cryptoName === 'node:crypto' ? new NodeJsCrypto() : new StandardCrypto();
  const clientFabric = await fabricFor(crypto, fabric, controller);
  const serverFabric = await fabricFor(crypto, fabric, device);
  const clientSessions = sessionsStub(crypto), serverSessions = sessionsStub(crypto);
  const server = new CaseServer(serverSessions as never, {
    crypto,
    async findFabricFromDestinationId(destinationId: Uint8Array, random: Uint8Array) {
      const ids = await serverFabric.destinationIdsFor(serverFabric.nodeId, random);
      if (ids.some((id) => Bytes.areEqual(id, destinationId))) return serverFabric;
      throw new FabricNotFoundError('no fabric');
    },
  } as never);
  const client = new CaseClient(clientSessions as never);
  let exchangeId = 1;

  return async (resume: boolean): Promise<void> => {
    if (!resume) { clientSessions.forget(); serverSessions.forget(); }
    const id = exchangeId = (exchangeId % 0xfffe) + 1;
    const clientMock = new ProtocolMocks.Exchange({ index: id, context: { session: new ProtocolMocks.NodeSession({ crypto, fabric: clientFabric } as never) } });
    const serverMock = new ProtocolMocks.Exchange({ index: id, isInitiator: false, context: { session: new ProtocolMocks.NodeSession({ crypto, fabric: serverFabric } as never) } });
    const relay = (to: ProtocolMocks.Exchange, message: { payloadHeader: { messageType: number }; payload: unknown }, fromInitiator: boolean) => to.write({
      packetHeader: { messageId: 1, sessionId: 0, sessionType: SessionType.Unicast },
      payloadHeader: { messageType: message.payloadHeader.messageType, protocolId: 0, exchangeId: id, isInitiatorMessage: fromInitiator, requiresAck: false },
      payload: message.payload,
    } as never);
    const pairing = client.pair(clientMock, clientFabric, NodeId(device));
    const serving = server.onNewExchange(serverMock);
    // Strictly alternating, ending when a StatusReport passes: no read is left waiting.
    for (;;) {
      const fromClient = await clientMock.read();
      await relay(serverMock, fromClient, true);
      if (fromClient.payloadHeader.messageType === 0x40) break;
      const fromServer = await serverMock.read();
      await relay(clientMock, fromServer, false);
      if (fromServer.payloadHeader.messageType === 0x40) break;
    }
    const { resumed } = await pairing;
    await serving;
    if (resumed !== resume) throw new Error(`matter.js: expected resumed=${resume}, got ${resumed}`);
  };
}
