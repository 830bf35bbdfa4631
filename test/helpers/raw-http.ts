// A raw HTTP/1.1 client on node:net, for what fetch cannot do: send a body a byte at a time, forever, or
// stop in the middle; and see exactly when the server closes the connection.
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** everything the server sent so far */
  received(): string;
  /** resolves with ms since connect when the server has closed the connection (or it was reset) */
  closed: Promise<number>;
  /** stop the body writer (if any) and close our side */
  destroy(): void;
}

/** Opens a connection to 127.0.0.1:port and writes `head` (request line + headers, without the blank line). */
export async function rawRequest(port: number, head: string[]): Promise<RawConnection> {
  // half-open: a hostile client keeps sending after the server's FIN, so only the server's full close counts
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const start = Date.now();
  let text = '';
  socket.on('data', (c: Buffer) => {
    text += c.toString('latin1');
  });
  socket.on('error', () => {}); // a reset after the server's close is one of the outcomes under test
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - start)));
  socket.write(head.join('\r\n') + '\r\n\r\n');
  return { socket, received: () => text, closed, destroy: () => socket.destroy() };
}

/** Writes `chunk` every `everyMs` until the socket closes (or `stop()` is called). */
export function trickle(socket: Socket, chunk: string | Buffer, everyMs: number): () => void {
  const t = setInterval(() => {
    if (socket.destroyed || !socket.writable) {
      clearInterval(t);
      return;
    }
    socket.write(chunk);
  }, everyMs);
  socket.once('close', () => clearInterval(t));
  return () => clearInterval(t);
}

/** Writes as fast as the socket drains until it closes: an endless body. */
export function flood(socket: Socket, chunk: Buffer): void {
  const pump = () => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/** Resolves with `p`'s value, or with `fallback` after `ms` (the test then fails on the value, not a hang). */
export function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((r) => (t = setTimeout(() => r(fallback), ms)))]).finally(() =>
    clearTimeout(t),
  );
}
