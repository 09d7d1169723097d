// Bytes of JS heap allocated per message on the session hot path (64-byte payload), for both APIs: encode/decode
// (fresh result objects) and encodeInto/decodeInto (caller-owned buffer and ReceivedMessage). Measured as the
// growth of V8's new space over a batch with no garbage collection in between (a batch that saw a scavenge is
// measured again). Node only (v8.getHeapSpaceStatistics).
import v8 from 'node:v8';
import vm from 'node:vm';
import { ReceivedMessage } from '../src/index.js';
import { managerPair, PAYLOAD_HEADER } from './session-bench.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const newSpaceUsed = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/**
 * Median bytes allocated per call of `op` over batches of `batch` calls, less the floor: what reading the heap
 * statistics itself allocates, measured the same way with an empty op (about 2 KiB per batch, ~10 B per call).
 */
export function allocatedPerCall(op: () => void, batch = 200, samples = 9): number {
  return rawAllocatedPerCall(op, batch, samples) - rawAllocatedPerCall(empty, batch, samples);
}

let emptySink = 0;
const empty = (): void => { emptySink ^= 1; };

function rawAllocatedPerCall(op: () => void, batch: number, samples: number): number {
  for (let i = 0; i < 20_000; i++) op(); // optimised code allocates differently from the first calls
  const perCall: number[] = [];
  while (perCall.length < samples) {
    gc();
    const before = newSpaceUsed();
    for (let i = 0; i < batch; i++) op();
    const after = newSpaceUsed();
    if (after >= before) perCall.push((after - before) / batch); // a scavenge in between shrinks the space: retry
  }
  perCall.sort((a, b) => a - b);
  return perCall[perCall.length >> 1]!;
}

export interface HotPathAllocation { encodeBytesPerMessage: number; decodeBytesPerMessage: number; roundTripBytesPerMessage: number }

export interface HotPathAllocationBothApis {
  /** encode / decode: a new datagram and a new DecodedMessage per message. */
  fresh: HotPathAllocation;
  /** encodeInto / decodeInto: the datagram into a reused buffer, the message into a reused ReceivedMessage. */
  reusing: HotPathAllocation;
  /** The same with `now` passed (the time read once per batch): no clock read per message. */
  reusingWithNow: HotPathAllocation;
}

export async function hotPathAllocation(): Promise<HotPathAllocationBothApis> {
  const { a, b, sa } = await managerPair();
  const payload = new Uint8Array(64).fill(0x5a);
  let sink = 0;
  const encodeBytes = allocatedPerCall(() => { sink ^= a.encode(sa, PAYLOAD_HEADER, payload).length; });
  // Decoding the same datagram again is a duplicate (it throws): each decode needs a fresh message, so the round
  // trip is measured and the encode share subtracted.
  const roundTrip = allocatedPerCall(() => { sink ^= b.decode(a.encode(sa, PAYLOAD_HEADER, payload)).payload.length; });
  const out = new Uint8Array(1280);
  const received = new ReceivedMessage();
  // The datagram as a transport hands it over: a view of exactly its length (made once here, as a socket does).
  const length = a.encodeInto(sa, PAYLOAD_HEADER, payload, out);
  const datagram = out.subarray(0, length);
  const encodeIntoBytes = allocatedPerCall(() => { sink ^= a.encodeInto(sa, PAYLOAD_HEADER, payload, out); });
  const roundTripInto = allocatedPerCall(() => {
    a.encodeInto(sa, PAYLOAD_HEADER, payload, out);
    sink ^= b.decodeInto(datagram, received).payloadLength;
  });
  const now = Date.now(); // one clock read for the whole batch, as a receive loop reads it once per wake-up
  const encodeIntoNowBytes = allocatedPerCall(() => { sink ^= a.encodeInto(sa, PAYLOAD_HEADER, payload, out, now); });
  const roundTripIntoNow = allocatedPerCall(() => {
    a.encodeInto(sa, PAYLOAD_HEADER, payload, out, now);
    sink ^= b.decodeInto(datagram, received, undefined, now).payloadLength;
  });
  await a.close(); await b.close();
  if (emptySink === 0.5) console.log(emptySink);
  if (sink === 0.5) console.log(sink);
  return {
    fresh: { encodeBytesPerMessage: encodeBytes, decodeBytesPerMessage: roundTrip - encodeBytes, roundTripBytesPerMessage: roundTrip },
    reusing: {
      encodeBytesPerMessage: encodeIntoBytes, decodeBytesPerMessage: roundTripInto - encodeIntoBytes,
      roundTripBytesPerMessage: roundTripInto,
    },
    reusingWithNow: {
      encodeBytesPerMessage: encodeIntoNowBytes, decodeBytesPerMessage: roundTripIntoNow - encodeIntoNowBytes,
      roundTripBytesPerMessage: roundTripIntoNow,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ready } = await import('../src/index.js');
  await ready();
  console.log(await hotPathAllocation());
}
