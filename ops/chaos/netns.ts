// A network namespace joined to the host by a veth pair, for the partition scenario: the
// node inside reaches Redis (bound to the host end's address) only through the veth, so
// taking the namespace's end down cuts that node off from Redis — and from its clients —
// while every other process keeps talking to Redis on the host end's address.
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

export interface Netns {
  name: string;
  /** The host end's address: Redis binds it, so the namespace can reach Redis. */
  hostAddress: string;
  /** The namespace end's address: the node inside binds its HTTP server to it. */
  nodeAddress: string;
  /** Drops the namespace's link: nothing goes in or out until `heal`. */
  cut(): Promise<void>;
  heal(): Promise<void>;
  remove(): Promise<void>;
  /** For an exit hook: the commands that remove it, run synchronously. */
  removeCommands: string[][];
}

async function ip(...args: string[]): Promise<void> {
  await execa('ip', args, { timeout: 10_000 });
}

/** Whether this machine lets us create network namespaces (root, a kernel that allows it). */
export async function netnsAvailable(): Promise<{ ok: boolean; detail: string }> {
  const probe = `vsprobe${randomBytes(3).toString('hex')}`;
  const added = await execa('ip', ['netns', 'add', probe], { reject: false, timeout: 10_000 });
  if (added.exitCode !== 0)
    return { ok: false, detail: `ip netns add failed: ${String(added.stderr).trim()}` };
  const removed = await execa('ip', ['netns', 'del', probe], { reject: false, timeout: 10_000 });
  return removed.exitCode === 0
    ? { ok: true, detail: 'ip netns add/del work' }
    : { ok: false, detail: `ip netns del failed: ${String(removed.stderr).trim()}` };
}

/** Creates the namespace, the veth pair and their addresses (a random 10.231.X.0/24). */
export async function createNetns(): Promise<Netns> {
  const tag = randomBytes(2).toString('hex');
  const name = `vschaos${tag}`;
  // Interface names are limited to 15 characters.
  const hostEnd = `vsc${tag}h`;
  const nsEnd = `vsc${tag}n`;
  const net = `10.231.${1 + (Number.parseInt(tag, 16) % 254)}`;
  const hostAddress = `${net}.1`;
  const nodeAddress = `${net}.2`;
  const removeCommands = [
    ['ip', 'link', 'del', hostEnd],
    ['ip', 'netns', 'del', name],
  ];
  const remove = async () => {
    for (const [cmd, ...args] of removeCommands) await execa(cmd!, args, { reject: false });
  };
  try {
    await ip('netns', 'add', name);
    await ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd);
    await ip('link', 'set', nsEnd, 'netns', name);
    await ip('addr', 'add', `${hostAddress}/24`, 'dev', hostEnd);
    await ip('link', 'set', hostEnd, 'up');
    await ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nodeAddress}/24`, 'dev', nsEnd);
    await ip('netns', 'exec', name, 'ip', 'link', 'set', nsEnd, 'up');
    await ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    name,
    hostAddress,
    nodeAddress,
    cut: () => ip('netns', 'exec', name, 'ip', 'link', 'set', nsEnd, 'down'),
    heal: () => ip('netns', 'exec', name, 'ip', 'link', 'set', nsEnd, 'up'),
    remove,
    removeCommands,
  };
}
