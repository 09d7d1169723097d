// `--fields JSON` of `matter-sessions invoke`: JSON to the TLV structure a CommandDataIB carries, byte for byte
// against encodings written out by hand from the TLV rules, and every bad input refused with the field named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeTlv } from '../src/codec/tlv.js';
import { fieldsFromJson, FieldsJsonError } from '../src/cli/fields-json.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('ArmFailSafe fields {"0": 60, "1": 0} encode as the commissioning vector does', () => {
  // struct { 0: uint8 60, 1: uint8 0 } (the CommandFields inside im-commissioning-encodings.json's ArmFailSafe)
  assert.equal(hex(encodeTlv(fieldsFromJson('{"0": 60, "1": 0}'))), '15' + '24003c' + '240100' + '18');
});

test('typed values, nesting, hex keys', () => {
  const element = fieldsFromJson('{"0x2": {"bytes": "00ff"}, "3": {"int": -5}, "4": true, "5": "hi", "6": [1, 2], "7": {"0": null}, "8": {"uint": "18446744073709551615"}}');
  assert.equal(hex(encodeTlv(element)),
    '15' + '300202' + '00ff' + '2003fb' + '2904' + '2c05026869' + '3606' + '0401' + '0402' + '18' + '3507' + '3400' + '18' + '2708ffffffffffffffff' + '18');
});

test('bad input names what is wrong', () => {
  assert.throws(() => fieldsFromJson('{'), FieldsJsonError);
  assert.throws(() => fieldsFromJson('[1]'), /expected a JSON object keyed by field id/);
  assert.throws(() => fieldsFromJson('{"x": 1}'), /fields.x: field ids are context tags 0 to 255/);
  assert.throws(() => fieldsFromJson('{"256": 1}'), /context tags 0 to 255/);
  assert.throws(() => fieldsFromJson('{"2": 1, "0x2": 2}'), /same field id/);
  assert.throws(() => fieldsFromJson('{"0": {"bytes": "abc"}}'), /fields.0.bytes: expected an even number of hex digits/);
  assert.throws(() => fieldsFromJson('{"0": {"uint": -1}}'), /non-negative/);
  let deep = '1';
  for (let i = 0; i < 20; i++) deep = `{"0": ${deep}}`;
  assert.throws(() => fieldsFromJson(deep), /nested deeper than 16/);
});
