// Handcrafted PASE initiators that stop where an attacker would: after the PBKDFParamResponse (then silence or a
// failure StatusReport), or after Pake2 with a made-up confirmation cA. They speak through an ExchangeManager like
// any commissioner, so they work over any channel (memory links, HTTP, WebSocket).
import * as lib from '../../src/index.js';

export type AttackerEnding = 'silent' | 'status-report' | 'wrong-ca';

/** Opens a handshake; returns the device's first answer (PBKDFParamResponse, or its StatusReport). */
export async function openHandshake(exchanges: lib.ExchangeManager, channel: lib.MessageChannel, timeoutMs = 5000) {
  const unsecured = exchanges.sessions.createUnsecuredSession({ isInitiator: true, channel });
  const exchange = exchanges.initiate(unsecured);
  const requestBytes = lib.encodePbkdfParamRequest({
    initiatorRandom: crypto.getRandomValues(new Uint8Array(32)), initiatorSessionId: 1 + Math.floor(Math.random() * 60000),
    passcodeId: 0, hasPbkdfParameters: false,
  });
  await exchange.send(lib.SecureChannelOpcode.pbkdfParamRequest, requestBytes);
  const answer = await exchange.next(timeoutMs);
  return { unsecured, exchange, requestBytes, answer };
}

/** One attempt that ends as `ending` says; returns the device's first answer's opcode. */
export async function attack(exchanges: lib.ExchangeManager, channel: lib.MessageChannel, ending: AttackerEnding,
  guess = 11223344): Promise<number> {
  const { unsecured, exchange, requestBytes, answer } = await openHandshake(exchanges, channel);
  try {
    if (answer.opcode !== lib.SecureChannelOpcode.pbkdfParamResponse) return answer.opcode;
    if (ending === 'status-report') {
      await exchange.send(lib.SecureChannelOpcode.statusReport, lib.encodeStatusReport({
        generalCode: lib.GeneralStatusCode.failure, protocolId: 0, protocolCode: lib.SecureChannelStatusCode.invalidParameter,
      }));
    } else if (ending === 'wrong-ca') {
      const response = lib.decodePbkdfParamResponse(answer.payload);
      const { w0, w1 } = lib.computePasscodeVerifier(guess, response.pbkdfParameters!.salt, response.pbkdfParameters!.iterations);
      const prover = lib.startSpake2pProver({ context: lib.paseContext(requestBytes, answer.payload), w0, w1 });
      await exchange.send(lib.SecureChannelOpcode.pake1, lib.encodePake1(prover.X));
      await exchange.next(5000); // Pake2
      await exchange.send(lib.SecureChannelOpcode.pake3, lib.encodePake3(crypto.getRandomValues(new Uint8Array(32))));
      await exchange.next(5000).catch(() => undefined); // the device's failure StatusReport
    }
    return answer.opcode;
  } finally {
    exchange.abort(new Error('attacker done'));
    exchanges.sessions.removeUnsecuredSession(unsecured);
  }
}
