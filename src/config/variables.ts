// The description of every VS_* variable: the one place a variable is added or changed.
// Validation, the typed Config, `votestream config`, the operations guide's table and the
// check of `.env.example` all come from it. Its order is the order `votestream config` prints.
import { nodeIdOrDefault, parseList, parseSeeds } from './derived-values.ts';
import { type Description, integer, oneOf } from './variable.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ID = '^[A-Za-z0-9_-]{1,64}$';
const MS = 'number of milliseconds';

/** Every variable the configuration reads, by name; `.env.example` lists the same. */
export const VARIABLES = {
  VS_NODE_ID: {
    field: 'nodeId',
    schema: { type: 'string', pattern: ID },
    doc: "this node's id: its consumer group name and its identity in heartbeats and quorum; unset: `<hostname>-<VS_HTTP_PORT>`",
    expects: 'a node id of 1-64 letters, digits, "_" or "-"',
    parse: nodeIdOrDefault,
  },
  VS_HTTP_HOST: {
    field: 'httpHost',
    // At most a DNS name's 253 characters: the node's URL goes into every Heartbeat.
    schema: { type: 'string', minLength: 1, maxLength: 253, default: '127.0.0.1' },
    doc: 'where the HTTP API and dashboard listen',
    expects: 'a host name or address of at most 253 characters',
  },
  VS_HTTP_PORT: {
    field: 'httpPort',
    ...integer({ minimum: 0, maximum: 65535, default: 3001 }, 'port'),
    doc: 'the port of the HTTP API and dashboard',
  },
  VS_REDIS_CLUSTER: {
    field: 'redisCluster',
    schema: {
      type: 'string',
      pattern: '^\\s*[^\\s:,]+:\\d{1,5}\\s*(,\\s*[^\\s:,]+:\\d{1,5}\\s*)*$',
    },
    doc: 'Redis Cluster seeds, `host:port,…`; with neither this nor `VS_REDIS_URL`, `127.0.0.1:7000` (the local cluster of `votestream redis up`)',
    expects: 'comma-separated host:port seeds, e.g. 127.0.0.1:7000,127.0.0.1:7001',
    parse: parseSeeds,
  },
  VS_REDIS_URL: {
    field: 'redisUrl',
    schema: { type: 'string', pattern: '^rediss?://' },
    doc: 'one standalone Redis instead of a cluster; not both',
    expects: 'a redis:// or rediss:// URL',
  },
  VS_PREFIX: {
    field: 'prefix',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,32}$', default: 'vs' },
    doc: 'prefix of every key',
    expects: '1-32 letters, digits, "_", "." or "-" (no braces or colons)',
  },
  VS_SHARDS: {
    field: 'shards',
    ...integer({ minimum: 1, maximum: 1024, default: 16 }),
    doc: "number of shard streams; fixed for a deployment's lifetime (changing it moves voters): the first node records it in the log, and a node, `replay` or `rebuild` given another count refuses to start (exit 2); a node started while Redis does not answer serves nothing until it has checked, and stops (exit 2) on another count",
  },
  VS_MEMBERS: {
    field: 'members',
    schema: {
      type: 'string',
      pattern: '^\\s*([A-Za-z0-9_-]{1,64}\\s*(,\\s*[A-Za-z0-9_-]{1,64}\\s*)*)?$',
    },
    doc: 'node ids that count toward quorum; unset: this node alone',
    expects: 'comma-separated node ids',
    parse: parseList,
  },
  VS_DURABILITY: {
    field: 'durability',
    ...oneOf(['local', 'replica', 'auto'], 'auto'),
    doc: "when a vote is acknowledged: `local` (the master has it), `replica` (WAIT 1 succeeded), `auto` (`local` until the cluster shows a replica, looked for at start and every second; `replica` from then on, and a replica lost later makes its master's shards refuse votes as with `replica`)",
  },
  VS_WAIT_TIMEOUT_MS: {
    field: 'waitTimeoutMs',
    ...integer({ minimum: 1, maximum: 60000, default: 500 }, MS),
    doc: 'how long WAIT may take before the append answers 503 `NOT_DURABLE`',
  },
  VS_ADMIN_TOKEN: {
    field: 'adminToken',
    schema: { type: 'string', minLength: 16 },
    doc: 'bearer token for admin routes (unset: they answer 401/403); env only: no `votestream node` flag (the tools `tokens` and `load` also take `--admin-token`)',
    expects: 'a secret of at least 16 characters',
    secret: true,
  },
  VS_VOTER_SECRET: {
    field: 'voterSecret',
    // An HMAC-SHA256 key: 32 characters of base64 (e.g. `openssl rand -base64 32`) or more.
    schema: { type: 'string', minLength: 32 },
    doc: "key from which each token poll's secret and each secret poll's voter-tag key are derived, the same on every node; unset: no token polls (409 `VOTER_AUTH_UNAVAILABLE`) and no secret polls (409 `SECRET_BALLOT_UNAVAILABLE`)",
    expects: 'a secret of at least 32 characters, the same on every node',
    secret: true,
  },
  VS_LEASE_MS: {
    field: 'leaseMs',
    ...integer({ minimum: 200, maximum: 600000, default: 2000 }, MS),
    doc: "the leader's lease",
  },
  VS_HEARTBEAT_MS: {
    field: 'heartbeatMs',
    ...integer({ minimum: 20, maximum: 60000, default: 250 }, MS),
    doc: 'heartbeat interval: at most half of `VS_LEASE_MS`',
  },
  VS_FAILURE_TIMEOUT_MS: {
    field: 'failureTimeoutMs',
    ...integer({ minimum: 100, maximum: 600000, default: 1500 }, MS),
    doc: 'when a silent node counts as dead',
  },
  VS_LOG_LEVEL: {
    field: 'logLevel',
    ...oneOf(LOG_LEVELS, 'info'),
    doc: 'pino log level',
  },
  VS_SNAPSHOT_DIR: {
    field: 'snapshotDir',
    schema: { type: 'string', minLength: 1, default: '.data/snapshots' },
    doc: 'where projection snapshots are kept: one file per shard under `<dir>/<prefix>/<node id>/`',
    expects: 'a directory path',
  },
  VS_SNAPSHOT_MS: {
    field: 'snapshotMs',
    ...integer({ minimum: 100, maximum: 3600000, default: 5000 }, MS),
    doc: 'how often snapshots are written while a shard changes (and on a graceful stop)',
  },
  VS_CLOCK_SKEW_MS: {
    field: 'clockSkewMs',
    ...integer({ minimum: -3600000, maximum: 3600000, default: 0 }, MS),
    doc: "fault injection only: milliseconds added to this node's local clock",
  },
  VS_REDIS_USERNAME: {
    field: 'redisUsername',
    schema: { type: 'string', pattern: '^\\S{1,128}$' },
    doc: 'Redis ACL user (Redis 6+); unset: the `default` user',
    expects: 'a Redis ACL user name of 1-128 characters without spaces',
  },
  VS_REDIS_PASSWORD: {
    field: 'redisPassword',
    schema: { type: 'string', minLength: 1, maxLength: 512 },
    doc: 'its password (`AUTH`); env only, never a flag (credentials written in `VS_REDIS_URL` take precedence: ioredis lets the URL win)',
    expects: 'a password of 1-512 characters',
    secret: true,
  },
  VS_REDIS_TLS: {
    field: 'redisTls',
    schema: { type: 'boolean', default: false },
    doc: 'TLS to Redis (`redis-server --tls-port`); `rediss://` in `VS_REDIS_URL` also turns it on',
    expects: 'true or false',
  },
  VS_REDIS_TLS_CA: {
    field: 'redisTlsCa',
    schema: { type: 'string', minLength: 1 },
    doc: "PEM file of the CA that signed the Redis servers' certificates; unset: the system's CAs",
    expects: 'the path of a PEM file of CA certificates',
  },
  VS_REDIS_TLS_INSECURE: {
    field: 'redisTlsInsecure',
    schema: { type: 'boolean', default: false },
    doc: '`true` skips certificate verification: test benches only',
    expects: 'true or false',
  },
  VS_REDIS_CONNECT_TIMEOUT_MS: {
    field: 'redisConnectTimeoutMs',
    ...integer({ minimum: 100, maximum: 600000, default: 5000 }, MS),
    doc: "how long a tool that runs once (`replay`, `rebuild`) waits for Redis's first answer before it exits 2 with one line; `node` and `up` never give up (they answer 503 and reconnect)",
  },
  VS_RATE_LIMIT: {
    field: 'rateLimit',
    ...integer({ minimum: 0, maximum: 100000000, default: 0 }, 'number of requests', 'no limit'),
    doc: 'appends (`POST /votes` and `/votes/batch` together) per client IP per window; `0`: no limit',
  },
  VS_RATE_LIMIT_WINDOW_MS: {
    field: 'rateLimitWindowMs',
    ...integer({ minimum: 100, maximum: 86400000, default: 60000 }, MS),
    doc: "the rate limit's window",
  },
  VS_SHED_EVENT_LOOP_DELAY_MS: {
    field: 'shedEventLoopDelayMs',
    ...integer({ minimum: 0, maximum: 600000, default: 1000 }, MS, 'off'),
    doc: 'shed load while the mean event-loop delay (sampled each second) is above it; `0`: off',
  },
  VS_SHED_HEAP_PERCENT: {
    field: 'shedHeapPercent',
    ...integer({ minimum: 0, maximum: 100, default: 95 }, 'percentage', 'off'),
    doc: "shed load while the heap is above this share of V8's heap limit; `0`: off",
  },
  VS_SHED_AFTER_MS: {
    field: 'shedAfterMs',
    ...integer({ minimum: 0, maximum: 600000, default: 3000 }, MS),
    doc: 'how long either threshold must be passed, without a break, before requests are shed',
  },
  VS_STOP_TIMEOUT_MS: {
    field: 'stopTimeoutMs',
    ...integer({ minimum: 100, maximum: 600000, default: 10000 }, MS),
    doc: 'how long a stop (SIGTERM, SIGINT) may take before the process gives up what is left',
  },
} as const satisfies Description;
