// Free TCP ports for private clusters (tests, chaos runs): random, so parallel runs on one
// machine do not collide, and checked by binding, so a port in use is never chosen.
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

/** A base port whose `count` ports and their cluster bus ports (+10000) are all free. */
export async function freeBasePort(count: number, host = HOST): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 25000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const all = [...ports, ...ports.map((p) => p + 10000)];
    if ((await Promise.all(all.map((p) => isFree(p, host)))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} free consecutive ports found`);
}

/** True when `port` can be bound on `host` right now. */
export function isFree(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, host, () => server.close(() => resolve(true)));
  });
}
