// Free TCP ports for private clusters (tests, chaos runs): random, so parallel runs on one
// machine do not collide, and checked by binding, so a port in use is never chosen. Chosen
// below the kernel's ephemeral range: a port in it can be taken by any outgoing connection
// (a client's local port) between the check and the bind, which made a node of `up` fail to
// start with its port in use while other tests ran.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';
/** The lowest port handed out; below 10000 are the well-known services' ports. */
const LOWEST = 10_000;
/** A Redis Cluster's bus port is its port + 10000. */
const BUS_OFFSET = 10_000;

/**
 * The first port of the range the kernel gives outgoing connections
 * (/proc/sys/net/ipv4/ip_local_port_range; Linux's default 32768 when it cannot be read or
 * leaves too little room below it).
 */
export function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    if (Number.isInteger(low) && low >= LOWEST + BUS_OFFSET + 1000) return low;
  } catch {
    // Not Linux, or no /proc: the default below.
  }
  return 32_768;
}

/**
 * A base port whose `count` ports and their cluster bus ports (+10000) are all free, all of
 * them at or above 10000 and below the ephemeral range.
 */
export async function freeBasePort(count: number, host = HOST): Promise<number> {
  const [low, span] = baseRange(count);
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = low + Math.floor(Math.random() * span);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const all = [...ports, ...ports.map((p) => p + BUS_OFFSET)];
    if ((await Promise.all(all.map((p) => isFree(p, host)))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} free consecutive ports found`);
}

/**
 * The lowest base and how many bases there are to pick from: every base whose ports and bus
 * ports fit below the ephemeral range; or, with VS_PORT_SLICE=i/n (test/run.ts gives each of
 * its test processes one), slice i of n of the bases below LOWEST + BUS_OFFSET, whose ports
 * and bus ports no other slice uses. A port one process found free, and a test relies on
 * staying free (a Redis where nothing listens), is then never taken by a server of another.
 */
function baseRange(count: number): [low: number, span: number] {
  const slice = /^(\d+)\/(\d+)$/.exec(process.env.VS_PORT_SLICE ?? '');
  if (slice) {
    const [i, n] = [Number(slice[1]), Number(slice[2])];
    const width = Math.floor(BUS_OFFSET / n);
    if (n > 0 && i < n && width > count) return [LOWEST + i * width, width - count];
  }
  return [LOWEST, ephemeralLow() - BUS_OFFSET - count - LOWEST];
}

/** True when `port` can be bound on `host` right now. */
export function isFree(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, host, () => server.close(() => resolve(true)));
  });
}
