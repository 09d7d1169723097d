// CASE messages and key schedule: every value of the matter.js captures (case-handshake-matterjs.json), every
// parse rule of the SDK's TestCASESession.cpp (case-parse-rules.json), and the resumption MICs checked against
// node:crypto's own HKDF and AES-CCM.
import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as lib from '../src/index.js';
import { NONCE_SIGMA2, NONCE_SIGMA3, openTbe, sealTbe } from '../src/protocol/case/case-key-schedule.js';

await lib.ready();
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const load = (name: string) => JSON.parse(readFileSync(new URL(`../../shared/vectors/${name}`, import.meta.url), 'utf8'));
const handshake = load('case-handshake-matterjs.json');
const rules = load('case-parse-rules.json');
const [v2, vSig, v3] = handshake.vectors as Array<Record<string, string>>;

describe('CASE key schedule and structures: the matter.js captures', () => {
  it('Sigma2 construction: salt, S2K, TBSData2 and its signature, TBEData2, encrypted2 (vector 1)', () => {
    const v = v2!;
    const sigma1 = lib.decodeSigma1(hex(v.sigma1!));
    assert.equal(toHex(sigma1.initiatorEphPubKey), v.initiatorEphPubKey);
    assert.equal(toHex(lib.encodeSigma1(sigma1)), v.sigma1, 'Sigma1 re-encodes to the same bytes');
    const salt = lib.sigma2Salt(hex(v.ipk!), hex(v.responderRandom!), hex(v.responderEphPubKey!), hex(v.sigma1!));
    assert.equal(salt.length, 145);
    assert.equal(toHex(salt), v.sigma2Salt);
    const s2k = lib.deriveS2K(hex(v.sharedSecret!), salt);
    assert.equal(toHex(s2k), v.S2K);
    const tbs = lib.encodeTbsData({
      noc: hex(v.responderNoc!), senderEphPubKey: hex(v.responderEphPubKey!), receiverEphPubKey: hex(v.initiatorEphPubKey!),
    });
    assert.equal(toHex(tbs), v.tbsData2);
    assert.ok(lib.ecdsaVerifySha256(hex(v.responderNocPublicKey!), tbs, hex(v.signature2!)));
    assert.ok(!lib.ecdsaVerifySha256(hex(v.responderNocPublicKey!), tbs.map((b, i) => (i === 10 ? b ^ 1 : b)), hex(v.signature2!)));
    // Another stack may send the high-S twin (n - s) of a signature: it must verify too.
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const s = BigInt(`0x${v.signature2!.slice(64)}`);
    const highS = hex(v.signature2!.slice(0, 64) + (n - s).toString(16).padStart(64, '0'));
    assert.ok(lib.ecdsaVerifySha256(hex(v.responderNocPublicKey!), tbs, highS), 'the high-S form verifies');
    const tbe = lib.encodeTbeData2({ noc: hex(v.responderNoc!), signature: hex(v.signature2!), resumptionId: hex(v.resumptionId!) });
    assert.equal(toHex(tbe), v.tbeData2);
    const decoded = lib.decodeTbeData2(tbe);
    assert.equal(toHex(decoded.noc), v.responderNoc);
    assert.equal(decoded.icac, undefined);
    assert.equal(toHex(decoded.resumptionId), v.resumptionId);
    assert.equal(toHex(sealTbe(s2k.slice(), NONCE_SIGMA2, tbe)), v.encrypted2);
    assert.equal(toHex(openTbe(s2k.slice(), NONCE_SIGMA2, hex(v.encrypted2!))!), v.tbeData2);
    const altered = hex(v.encrypted2!);
    altered[5]! ^= 0x80;
    assert.equal(openTbe(s2k.slice(), NONCE_SIGMA2, altered), undefined, 'an altered encrypted2 does not open');
  });

  it('TBSData with an empty ICAC present (vector 2): rebuilt byte for byte, signature verifies only over it', () => {
    const v = vSig!;
    const fields = lib.decodeTlvStruct(hex(v.tbsData!));
    const parts = { noc: fields.bytes(1), senderEphPubKey: fields.bytes(3), receiverEphPubKey: fields.bytes(4) };
    const withEmpty = lib.encodeTbsData({ ...parts, icac: new Uint8Array(0) });
    assert.equal(toHex(withEmpty), v.tbsData);
    assert.ok(lib.ecdsaVerifySha256(hex(v.signerPublicKey!), withEmpty, hex(v.signature!)));
    assert.ok(!lib.ecdsaVerifySha256(hex(v.signerPublicKey!), lib.encodeTbsData(parts), hex(v.signature!)),
      'without the empty ICAC the signed bytes differ');
  });

  it('Sigma3 processing and the session keys (vector 3)', () => {
    const v = v3!;
    const sigma1 = lib.decodeSigma1(hex(v.sigma1!));
    const sigma2 = lib.decodeSigma2(hex(v.sigma2!));
    const sigma3 = lib.decodeSigma3(hex(v.sigma3!));
    assert.equal(toHex(sigma1.initiatorEphPubKey), v.initiatorEphPubKey);
    assert.equal(toHex(sigma2.responderEphPubKey), v.responderEphPubKey);
    assert.equal(toHex(sigma3.encrypted3), v.encrypted3);
    assert.equal(toHex(lib.encodeSigma2(sigma2)), v.sigma2, 'Sigma2 re-encodes to the same bytes');
    assert.equal(toHex(lib.encodeSigma3(sigma3)), v.sigma3);
    const salt = lib.sigma3Salt(hex(v.ipk!), hex(v.sigma1!), hex(v.sigma2!));
    assert.equal(toHex(salt), v.sigma3Salt);
    const s3k = lib.deriveS3K(hex(v.sharedSecret!), salt);
    assert.equal(toHex(s3k), v.S3K);
    const tbePlain = openTbe(s3k.slice(), NONCE_SIGMA3, sigma3.encrypted3)!;
    assert.equal(toHex(tbePlain), v.tbeData3);
    const tbe = lib.decodeTbeData3(tbePlain);
    assert.equal(toHex(tbe.signature), v.signature3);
    assert.equal(toHex(lib.encodeTbeData3(tbe)), v.tbeData3);
    assert.equal(toHex(sealTbe(s3k.slice(), NONCE_SIGMA3, tbePlain)), v.encrypted3);
    const tbs = lib.encodeTbsData({
      noc: tbe.noc, icac: tbe.icac, senderEphPubKey: sigma1.initiatorEphPubKey, receiverEphPubKey: sigma2.responderEphPubKey,
    });
    assert.equal(toHex(tbs), v.tbsData3);
    assert.ok(lib.ecdsaVerifySha256(hex(v.initiatorNocPublicKey!), tbs, tbe.signature));
    const sessionSalt = lib.caseSessionSalt(hex(v.ipk!), hex(v.sigma1!), hex(v.sigma2!), hex(v.sigma3!));
    assert.equal(toHex(sessionSalt), v.sessionSalt);
    const keys = lib.deriveCaseSessionKeys({
      sharedSecret: hex(v.sharedSecret!), ipk: hex(v.ipk!), sigma1: hex(v.sigma1!), sigma2: hex(v.sigma2!), sigma3: hex(v.sigma3!),
    });
    assert.equal(toHex(keys.i2rKey), v.i2rKey);
    assert.equal(toHex(keys.r2iKey), v.r2iKey);
    assert.equal(toHex(keys.attestationChallenge), v.attestationChallenge);
    assert.equal(toHex(lib.hkdfSha256(hex(v.sharedSecret!), sessionSalt, new TextEncoder().encode('SessionKeys'), 48)), v.sessionKeys48);
  });
});

describe('CASE resumption MICs and keys (spec rules, checked with node:crypto)', () => {
  const sharedSecret = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const initiatorRandom = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 ^ i);
  const oldId = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
  const newId = Uint8Array.from({ length: 16 }, (_, i) => 0x70 + i);

  const nodeMic = (info: string, id: Uint8Array, nonce: string) => {
    const key = Buffer.from(hkdfSync('sha256', sharedSecret, Buffer.concat([initiatorRandom, id]), info, 16));
    const cipher = createCipheriv('aes-128-ccm', key, Buffer.from(nonce), { authTagLength: 16 });
    cipher.setAAD(Buffer.alloc(0), { plaintextLength: 0 });
    cipher.update(Buffer.alloc(0));
    cipher.final();
    return cipher.getAuthTag().toString('hex');
  };

  it('initiatorResumeMIC: S1RK over the old id, nonce NCASE_SigmaS1', () => {
    assert.equal(toHex(lib.sigma1ResumeMic(sharedSecret, initiatorRandom, oldId)), nodeMic('Sigma1_Resume', oldId, 'NCASE_SigmaS1'));
  });

  it('sigma2ResumeMIC: S2RK over the NEW id, nonce NCASE_SigmaS2', () => {
    assert.equal(toHex(lib.sigma2ResumeMic(sharedSecret, initiatorRandom, newId)), nodeMic('Sigma2_Resume', newId, 'NCASE_SigmaS2'));
    assert.notEqual(toHex(lib.sigma2ResumeMic(sharedSecret, initiatorRandom, newId)), toHex(lib.sigma2ResumeMic(sharedSecret, initiatorRandom, oldId)));
  });

  it('resumed session keys: salt initiatorRandom | old id, info SessionResumptionKeys', () => {
    const salt = lib.resumptionSalt(initiatorRandom, oldId);
    const keys = lib.deriveCaseResumptionSessionKeys({ sharedSecret, initiatorRandom, resumptionId: oldId });
    const expected = Buffer.from(hkdfSync('sha256', sharedSecret, salt, 'SessionResumptionKeys', 48));
    assert.equal(toHex(keys.i2rKey), expected.subarray(0, 16).toString('hex'));
    assert.equal(toHex(keys.r2iKey), expected.subarray(16, 32).toString('hex'));
    assert.equal(toHex(keys.attestationChallenge), expected.subarray(32).toString('hex'));
  });
});

// ---- the SDK's parse rules ---------------------------------------------------------------------------------------

type Maker = (tag: lib.TlvTagArgument) => lib.TlvElement;
const bytesOf = (length: number, fill = 0x5a): Maker => (tag) => lib.tlv.bytes(new Uint8Array(length).fill(fill), tag);
const uintOf = (value: number): Maker => (tag) => lib.tlv.uint(value, tag);

interface Build { fields: Array<[number, Maker]>; profile?: boolean; noEnd?: boolean; extraTag?: number }
function build({ fields, profile, noEnd, extraTag }: Build): Uint8Array {
  const elements = fields.map(([tag, make]) => make(profile ? { common: tag } : tag));
  if (extraTag !== undefined) elements.push(lib.tlv.uint(77, extraTag));
  const bytes = lib.encodeTlv(lib.tlv.struct(elements));
  return noEnd ? bytes.subarray(0, bytes.length - 1) : bytes;
}

const sigma1Base = (o: { random?: number; dest?: number; key?: number; sid?: number; rid?: number; mic?: number } = {}) => {
  const fields: Array<[number, Maker]> = [[1, bytesOf(o.random ?? 32)], [2, uintOf(o.sid ?? 0)], [3, bytesOf(o.dest ?? 32)], [4, bytesOf(o.key ?? 65)]];
  if (o.rid !== undefined) fields.push([6, bytesOf(o.rid)]);
  if (o.mic !== undefined) fields.push([7, bytesOf(o.mic)]);
  return fields;
};
const sigma2Base = (o: { random?: number; sid?: number; key?: number; enc?: number } = {}): Array<[number, Maker]> =>
  [[1, bytesOf(o.random ?? 32)], [2, uintOf(o.sid ?? 0)], [3, bytesOf(o.key ?? 65)], [4, bytesOf(o.enc ?? 17)]];
const resumeBase = (o: { rid?: number; mic?: number; sid?: number } = {}): Array<[number, Maker]> =>
  [[1, bytesOf(o.rid ?? 16)], [2, bytesOf(o.mic ?? 16)], [3, uintOf(o.sid ?? 0)]];
const sigma3Base = (o: { enc?: number } = {}): Array<[number, Maker]> => [[1, bytesOf(o.enc ?? 17)]];

const cases: Record<string, Record<string, Build>> = {
  Sigma1: {
    Sigma1Params: { fields: sigma1Base() },
    Sigma1NoStructEnd: { fields: sigma1Base(), noEnd: true },
    Sigma1WrongTags: { fields: sigma1Base(), profile: true },
    Sigma1TooLongRandom: { fields: sigma1Base({ random: 33 }) },
    Sigma1TooShortRandom: { fields: sigma1Base({ random: 31 }) },
    Sigma1TooLongDest: { fields: sigma1Base({ dest: 33 }) },
    Sigma1TooShortDest: { fields: sigma1Base({ dest: 31 }) },
    Sigma1TooLongPubkey: { fields: sigma1Base({ key: 66 }) },
    Sigma1TooShortPubkey: { fields: sigma1Base({ key: 64 }) },
    Sigma1WithResumption: { fields: sigma1Base({ rid: 16, mic: 16 }) },
    Sigma1TooLongResumptionId: { fields: sigma1Base({ rid: 17, mic: 16 }) },
    Sigma1TooShortResumptionId: { fields: sigma1Base({ rid: 15, mic: 16 }) },
    Sigma1TooLongResumeMIC: { fields: sigma1Base({ rid: 17, mic: 16 }) },
    Sigma1TooShortResumeMIC: { fields: sigma1Base({ rid: 16, mic: 15 }) },
    Sigma1WithResumptionIdNoResumeMIC: { fields: sigma1Base({ rid: 16 }) },
    Sigma1WithResumeMICNoResumptionId: { fields: sigma1Base({ mic: 16 }) },
    Sigma1SessionIdMax: { fields: sigma1Base({ sid: 65535 }) },
    Sigma1SessionIdTooBig: { fields: sigma1Base({ sid: 65536 }) },
    Sigma1FutureProofTlvElement: { fields: sigma1Base(), extraTag: 11 },
    Sigma1FutureProofTlvElementNoStructEnd: { fields: sigma1Base(), extraTag: 11, noEnd: true },
  },
  Sigma2: {
    Sigma2Params: { fields: sigma2Base() },
    Sigma2NoStructEnd: { fields: sigma2Base(), noEnd: true },
    Sigma2WrongTags: { fields: sigma2Base(), profile: true },
    Sigma2TooLongRandom: { fields: sigma2Base({ random: 33 }) },
    Sigma2TooShortRandom: { fields: sigma2Base({ random: 31 }) },
    Sigma2SessionIdMax: { fields: sigma2Base({ sid: 65535 }) },
    Sigma2SessionIdTooBig: { fields: sigma2Base({ sid: 65536 }) },
    Sigma2TooLongPubkey: { fields: sigma2Base({ key: 66 }) },
    Sigma2TooShortPubkey: { fields: sigma2Base({ key: 64 }) },
    Sigma2TooLongEncrypted2: { fields: sigma2Base({ enc: lib.MAX_ENCRYPTED2_LENGTH + 1 }) },
    Sigma2TooShortEncrypted2: { fields: sigma2Base({ enc: 16 }) },
    Sigma2FutureProofTlvElement: { fields: sigma2Base(), extraTag: 11 },
    Sigma2FutureProofTlvElementNoStructEnd: { fields: sigma2Base(), extraTag: 11, noEnd: true },
  },
  Sigma2Resume: {
    Sigma2ResumeParams: { fields: resumeBase() },
    Sigma2ResumeNoStructEnd: { fields: resumeBase(), noEnd: true },
    Sigma2ResumeWrongTags: { fields: resumeBase(), profile: true },
    Sigma2ResumeTooLongResumptionID: { fields: resumeBase({ rid: 17 }) },
    Sigma2ResumeTooShortResumptionID: { fields: resumeBase({ rid: 15 }) },
    Sigma2ResumeTooLongResumeMIC: { fields: resumeBase({ mic: 17 }) },
    Sigma2ResumeTooShortResumeMIC: { fields: resumeBase({ mic: 15 }) },
    Sigma2ResumeSessionIdMax: { fields: resumeBase({ sid: 65535 }) },
    Sigma2ResumeSessionIdTooBig: { fields: resumeBase({ sid: 65536 }) },
    Sigma2ResumeFutureProofTlvElement: { fields: resumeBase(), extraTag: 11 },
    Sigma2ResumeFutureProofTlvElementNoStructEnd: { fields: resumeBase(), extraTag: 11, noEnd: true },
  },
  Sigma3: {
    Sigma3Params: { fields: sigma3Base() },
    Sigma3NoStructEnd: { fields: sigma3Base(), noEnd: true },
    Sigma3WrongTags: { fields: sigma3Base(), profile: true },
    Sigma3TooLongEncrypted3: { fields: sigma3Base({ enc: lib.MAX_ENCRYPTED3_LENGTH + 1 }) },
    Sigma3TooShortEncrypted3: { fields: sigma3Base({ enc: 16 }) },
    Sigma3FutureProofTlvElement: { fields: sigma3Base(), extraTag: 7 },
    Sigma3FutureProofTlvElementNoStructEnd: { fields: sigma3Base(), extraTag: 7, noEnd: true },
  },
};
const decoders: Record<string, (payload: Uint8Array) => unknown> = {
  Sigma1: lib.decodeSigma1, Sigma2: lib.decodeSigma2, Sigma2Resume: lib.decodeSigma2Resume, Sigma3: lib.decodeSigma3,
};

describe('CASE parse rules (case-parse-rules.json, every rule)', () => {
  for (const message of ['Sigma1', 'Sigma2', 'Sigma2Resume', 'Sigma3']) {
    it(`${message}: ${rules[message].length} rules`, () => {
      assert.equal(Object.keys(cases[message]!).length, rules[message].length, 'one case per rule, no more');
      for (const rule of rules[message] as Array<{ name: string; expect: string }>) {
        const spec = cases[message]![rule.name];
        assert.ok(spec, `a case for ${rule.name}`);
        const payload = build(spec);
        if (rule.expect.startsWith('accept')) {
          const decoded = decoders[message]!(payload) as Record<string, unknown>;
          if (message === 'Sigma1') {
            assert.equal(decoded.resumptionId !== undefined, rule.name === 'Sigma1WithResumption', `${rule.name}: resumption requested`);
          }
        } else {
          assert.throws(() => decoders[message]!(payload), lib.CaseMessageError, `${rule.name} is rejected`);
        }
      }
    });
  }

  it('the encrypted2/3 bounds are the SDK estimate: largest accepted, one more refused', () => {
    assert.equal(lib.MAX_ENCRYPTED2_LENGTH, 1054);
    assert.equal(lib.MAX_ENCRYPTED3_LENGTH, 1034);
    assert.doesNotThrow(() => lib.decodeSigma2(build({ fields: sigma2Base({ enc: 1054 }) })));
    assert.doesNotThrow(() => lib.decodeSigma3(build({ fields: sigma3Base({ enc: 1034 }) })));
  });

  it('errors name the field and what was expected', () => {
    assert.throws(() => lib.decodeSigma1(build({ fields: sigma1Base({ random: 31 }) })),
      (e: unknown) => e instanceof lib.CaseMessageError && e.field === 'Sigma1.initiatorRandom' && /expected 32 bytes, got 31/.test(e.message));
    assert.throws(() => lib.decodeSigma1(build({ fields: sigma1Base({ rid: 16 }) })),
      (e: unknown) => e instanceof lib.CaseMessageError && e.field === 'Sigma1.initiatorResumeMIC');
    assert.throws(() => lib.decodeSigma2(build({ fields: sigma2Base({ sid: 65536 }) })),
      (e: unknown) => e instanceof lib.CaseMessageError && e.field === 'Sigma2.responderSessionId');
    assert.throws(() => lib.decodeSigma3(build({ fields: [] })),
      (e: unknown) => e instanceof lib.CaseMessageError && e.field === 'Sigma3.encrypted3' && /missing/.test(e.message));
  });

  it('TBEData2/3: certificate and field lengths, tags, end of container, unknown trailing tags', () => {
    const tbe = (o: { noc?: number; icac?: number; sig?: number; rid?: number | null; profile?: boolean; noEnd?: boolean; extraTag?: number }) => {
      const fields: Array<[number, Maker]> = [[1, bytesOf(o.noc ?? 300)]];
      if (o.icac !== undefined) fields.push([2, bytesOf(o.icac)]);
      fields.push([3, bytesOf(o.sig ?? 64)]);
      if (o.rid !== null) fields.push([4, bytesOf(o.rid ?? 16)]);
      return build({ fields, profile: o.profile, noEnd: o.noEnd, extraTag: o.extraTag });
    };
    assert.equal(lib.decodeTbeData2(tbe({ icac: 400 })).icac!.length, 400);
    assert.equal(lib.decodeTbeData2(tbe({ noc: 400 })).noc.length, 400);
    assert.equal(lib.decodeTbeData2(tbe({ extraTag: 11 })).signature.length, 64);
    assert.equal(lib.decodeTbeData3(tbe({ rid: null, extraTag: 11 })).noc.length, 300);
    for (const [name, bytes] of Object.entries({
      'NOC 401': tbe({ noc: 401 }), 'ICAC 401': tbe({ icac: 401 }), 'signature 63': tbe({ sig: 63 }), 'signature 65': tbe({ sig: 65 }),
      'resumptionId 15': tbe({ rid: 15 }), 'resumptionId 17': tbe({ rid: 17 }), 'no resumptionId': tbe({ rid: null }),
      'profile tags': tbe({ profile: true }), 'no end': tbe({ noEnd: true }), 'extra, no end': tbe({ extraTag: 11, noEnd: true }),
    })) assert.throws(() => lib.decodeTbeData2(bytes), lib.CaseMessageError, `TBEData2 ${name}`);
    for (const [name, bytes] of Object.entries({
      'NOC 401': tbe({ noc: 401, rid: null }), 'signature 63': tbe({ sig: 63, rid: null }), 'profile tags': tbe({ rid: null, profile: true }),
      'no end': tbe({ rid: null, noEnd: true }),
    })) assert.throws(() => lib.decodeTbeData3(bytes), lib.CaseMessageError, `TBEData3 ${name}`);
  });

  it('encoders refuse bad arguments with errors naming them', () => {
    const base = { initiatorRandom: new Uint8Array(32), initiatorSessionId: 1, destinationId: new Uint8Array(32), initiatorEphPubKey: new Uint8Array(65) };
    assert.throws(() => lib.encodeSigma1({ ...base, initiatorRandom: new Uint8Array(31) }), /sigma1\.initiatorRandom: expected 32 bytes, got 31/);
    assert.throws(() => lib.encodeSigma1({ ...base, initiatorSessionId: 65536 }), /sigma1\.initiatorSessionId/);
    assert.throws(() => lib.encodeSigma1({ ...base, resumptionId: new Uint8Array(16) }), /go together/);
    assert.throws(() => lib.encodeSigma3({ encrypted3: new Uint8Array(16) }), /sigma3\.encrypted3/);
  });
});
