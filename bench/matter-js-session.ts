// matter.js's own secure-session path, built directly as its tests build NodeSession: on the sender, the counter
// (awaited, as its exchanges do), NodeSession.encode and MessageCodec.encodePacket; on the receiver,
// MessageCodec.decodePacket, NodeSession.decode and the replay check (updateMessageCounter), as ExchangeManager does.
import { StandardCrypto, type Crypto } from '@matter/general';
import { NodeJsCrypto } from '@matter/nodejs';
import { MessageCodec, NodeSession, SessionType } from '@matter/protocol';
import { NodeId } from '@matter/types';
import type { Candidate } from './measure.js';

// A PASE-style pair (peer node id 0): the nonces use node id 0 both ways without a fabric.
async function sessionPair(crypto: Crypto) {
  const common = { crypto, sharedSecret: new Uint8Array(32).fill(7), salt: new Uint8Array(48).fill(9), isResumption: false };
  const a = await NodeSession.create({ ...common, id: 1, peerSessionId: 2, peerNodeId: NodeId(0n), isInitiator: true });
  const b = await NodeSession.create({ ...common, id: 2, peerSessionId: 1, peerNodeId: NodeId(0n), isInitiator: false });
  return { a, b };
}

export async function matterJsRoundTrip(cryptoName: 'node:crypto' | 'StandardCrypto'): Promise<Candidate> {
  const crypto: Crypto = cryptoName === 'node:crypto' ? new NodeJsCrypto() : new StandardCrypto();
  const { a, b } = await sessionPair(crypto);
  const payload = new Uint8Array(64).fill(0x5a);
  const op = async () => {
    const messageId = await a.getIncrementedMessageCounter();
    const packet = a.encode({
      packetHeader: { sessionId: 2, sessionType: SessionType.Unicast, messageId, hasPrivacyEnhancements: false,
        isControlMessage: false, hasMessageExtensions: false },
      payloadHeader: { exchangeId: 0x1234, protocolId: 1, messageType: 5, isInitiatorMessage: true, requiresAck: true,
        hasSecuredExtension: false },
      payload,
    } as never);
    // matter.js types its byte results as BufferSource; at run time they are Uint8Arrays.
    const bytes = MessageCodec.encodePacket(packet) as Uint8Array;
    const received = MessageCodec.decodePacket(bytes);
    const aad = bytes.slice(0, bytes.length - (received.applicationPayload as Uint8Array).length);
    const message = b.decode(received, aad);
    b.updateMessageCounter(message.packetHeader.messageId);
    if ((message.payload as Uint8Array).length !== 64) throw new Error('matter.js round trip lost the payload');
  };
  await op();
  return { name: `matter.js NodeSession (${cryptoName})`, op };
}
