/**
 * The raw-socket peer: a bare Node TCP server in its own process. It echoes small messages (for
 * round trips) and, asked with a single byte 'B', sends a prepared block of bytes (for bulk
 * throughput). No framing library, no encoding: the floor any protocol over TCP stands on.
 */
import { createServer } from 'node:net';

const bulk = Buffer.alloc(Number(process.argv[2] ?? 64 * 1024 * 1024), 7);
const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (d) => {
    if (d.length === 1 && d[0] === 0x42) socket.write(bulk);
    else socket.write(d);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.stdout.write(`${addr.port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
