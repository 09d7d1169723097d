// Bytes of JS heap allocated per message on the session hot path (SessionManager.encode on one side, decode on the
// other, 64-byte payload), measured as the growth of V8's new space over a batch with no garbage collection in
// between (a batch that saw a scavenge is measured again). Node only (v8.getHeapSpaceStatistics).
import v8 from 'node:v8';
import vm from 'node:vm';
import { managerPair, PAYLOAD_HEADER } from './session-bench.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const newSpaceUsed = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/** Median bytes allocated per call of `op` over batches of `batch` calls. */
export function allocatedPerCall(op: () => void, batch = 200, samples = 9): number {
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

export async function hotPathAllocation(): Promise<HotPathAllocation> {
  const { a, b, sa } = await managerPair();
  const payload = new Uint8Array(64).fill(0x5a);
  const wire = a.encode(sa, PAYLOAD_HEADER, payload).slice();
  let sink = 0;
  const encodeBytesPerMessage = allocatedPerCall(() => { sink ^= a.encode(sa, PAYLOAD_HEADER, payload).length; });
  // Decoding the same datagram again is a duplicate (it throws): each decode needs a fresh message, so the round
  // trip is measured and the encode share subtracted.
  const roundTripBytesPerMessage = allocatedPerCall(() => { sink ^= b.decode(a.encode(sa, PAYLOAD_HEADER, payload)).payload.length; });
  void wire;
  await a.close(); await b.close();
  if (sink === 0.5) console.log(sink);
  return { encodeBytesPerMessage, decodeBytesPerMessage: roundTripBytesPerMessage - encodeBytesPerMessage, roundTripBytesPerMessage };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ready } = await import('../src/index.js');
  await ready();
  console.log(await hotPathAllocation());
}
