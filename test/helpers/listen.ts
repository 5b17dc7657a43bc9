// Every test server listens the same way: on 127.0.0.1 (or ::1 where asked), port 0, counting
// and keeping its connections so that closing it ends them too (a peer that never hangs up cannot
// hold a test).
import type { AddressInfo, Server, Socket } from 'node:net';

export interface Listening {
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function listen(server: Server, host = '127.0.0.1'): Promise<Listening> {
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A peer that goes away mid-exchange is normal here (notify exits, a test closes a server).
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
