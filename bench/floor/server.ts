/**
 * The floor's server: a raw Unix-socket key/value echo with mpts's framing and codec, and
 * nothing else (no authentication, no proxies, no dispatch table, no reference counts). Forked
 * by the bench; the socket path comes as argv[2]; it says "ready" over IPC.
 *
 * Requests are `[op, id, key, value?]` (op 0 sets, 1 gets); replies `[0, id, value]`. Every
 * reply for one read is sent in one write.
 */
import { createServer } from 'node:net';
import { decode, encodeFrame, FrameDecoder } from '@mpts/proxy/wire';

const path = process.argv[2]!;
const store = new Map<unknown, unknown>();

const server = createServer((socket) => {
  let replies: Buffer[] = [];
  const decoder = new FrameDecoder(1 << 30, (frame) => {
    const [op, id, key, value] = decode(frame) as [number, number, unknown, unknown];
    if (op === 0) {
      store.set(key, value);
      replies.push(encodeFrame([0, id, null]));
    } else {
      replies.push(encodeFrame([0, id, store.get(key)]));
    }
  });
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    socket.write(replies.length === 1 ? replies[0]! : Buffer.concat(replies));
    replies = [];
  });
  socket.on('error', () => socket.destroy());
});
server.listen(path, () => process.send?.('ready'));
process.on('disconnect', () => process.exit(0));
