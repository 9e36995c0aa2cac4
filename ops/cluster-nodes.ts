// Reading a Redis Cluster's own account of itself: the text of `CLUSTER NODES` and
// `CLUSTER INFO` parsed into masters, replicas and their slots, and whether that is a ready
// cluster. Pure: the replies and each replica's link state come in as arguments.

export interface MasterStatus {
  id: string;
  address: string;
  port: number;
  slots: number;
  ranges: string[];
  replicas: number;
  failed: boolean;
}

export interface ReplicaStatus {
  id: string;
  address: string;
  port: number;
  masterId: string;
  masterAddress: string | undefined;
  /** `up` once the replica has synced and streams the master's writes. */
  link: string;
  failed: boolean;
}

export interface ClusterStatus {
  state: string;
  slotsAssigned: number;
  slotsOk: number;
  masters: MasterStatus[];
  replicas: ReplicaStatus[];
}

/** One line of `CLUSTER NODES`. */
export interface ClusterNode {
  id: string;
  /** `host:port`, without the cluster bus port. */
  address: string;
  flags: string[];
  /** The master's id for a replica, `-` for a master. */
  master: string;
  /** Slot ranges served (`0-5460`, `5461`); migrating/importing markers left out. */
  ranges: string[];
  /** Slots in those ranges. */
  count: number;
}

/** The port of a `host:port` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/**
 * Parses `CLUSTER NODES` (https://redis.io/docs/latest/commands/cluster-nodes/: id, ip:port@bus,
 * flags, master, ping-sent, pong-recv, config-epoch, link-state, slot…).
 */
export function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', addr = '', flags = '', master = '', , , , , ...slots] = line
        .trim()
        .split(' ');
      const address = addr.split('@')[0] ?? '';
      const ranges = slots.filter((s) => !s.startsWith('['));
      const count = ranges.reduce((n, r) => {
        const [a, b] = r.split('-').map(Number);
        return n + ((b ?? a ?? 0) - (a ?? 0) + 1);
      }, 0);
      return { id, address, flags: flags.split(','), master, ranges, count };
    });
}

/** The replicas among parsed nodes (flag `slave`), in `CLUSTER NODES` order. */
export function replicasOf(nodes: ClusterNode[]): ClusterNode[] {
  return nodes.filter((n) => n.flags.includes('slave'));
}

/**
 * The cluster's status from `CLUSTER INFO`'s text, the parsed nodes and each replica's
 * `master_link_status` (`links[i]` for `replicasOf(nodes)[i]`); masters and replicas by port.
 */
export function describeCluster(
  info: string,
  nodes: ClusterNode[],
  links: string[],
): ClusterStatus {
  const field = (name: string) => info.match(new RegExp(`^${name}:(.*)$`, 'm'))?.[1]?.trim() ?? '';
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const masters = nodes.filter((n) => n.flags.includes('master'));
  const replicas = replicasOf(nodes);
  return {
    state: field('cluster_state'),
    slotsAssigned: Number(field('cluster_slots_assigned')),
    slotsOk: Number(field('cluster_slots_ok')),
    masters: masters
      .map((m) => ({
        id: m.id,
        address: m.address,
        port: portOf(m.address),
        slots: m.count,
        ranges: m.ranges,
        replicas: replicas.filter((r) => r.master === m.id).length,
        failed: m.flags.includes('fail'),
      }))
      .sort((a, b) => a.port - b.port),
    replicas: replicas
      .map((r, i) => ({
        id: r.id,
        address: r.address,
        port: portOf(r.address),
        masterId: r.master,
        masterAddress: byId.get(r.master)?.address,
        link: links[i] ?? 'unknown',
        failed: r.flags.includes('fail'),
      }))
      .sort((a, b) => a.port - b.port),
  };
}

/**
 * Ready: state ok, all 16384 slots ok, `expected.masters` live masters serving slots and
 * `expected.replicas` replicas with their link up (before that, WAIT would report 0).
 */
export function isReady(
  status: ClusterStatus,
  expected: { masters: number; replicas: number },
): boolean {
  const liveMasters = status.masters.filter((m) => !m.failed && m.slots > 0);
  return (
    status.state === 'ok' &&
    status.slotsOk === 16384 &&
    liveMasters.length === expected.masters &&
    status.replicas.filter((r) => r.link === 'up' && !r.failed).length === expected.replicas
  );
}
