import { createServer } from 'node:net';

/**
 * A port the kernel just handed out on 127.0.0.1, for programs that cannot be told to listen on
 * port 0 and report back (nginx, a README snippet with a fixed port). It is free when returned;
 * the caller uses it at once.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
