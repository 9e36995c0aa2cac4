// votestream nodes as child processes of this one: `votestream up`, the process-level tests
// and the chaos runs start them here, and stop them by their pid (never by name).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

const BIN = fileURLToPath(new URL('../bin/votestream.js', import.meta.url));

export interface NodeProcess {
  nodeId: string;
  url: string;
  env: Record<string, string>;
  child: ResultPromise;
  /** Graceful stop: SIGTERM, then SIGKILL (by pid) if it still runs after `graceMs`. */
  stop(graceMs?: number): Promise<NodeExit>;
}

/** How a node process ended. */
export interface NodeExit {
  nodeId: string;
  pid: number | undefined;
  exitCode: number | undefined;
  signal: string | undefined;
  /** False when it had already exited (a crash) before it was asked to stop. */
  wasRunning: boolean;
  /** True when it had to be killed: it did not stop within the grace. */
  killed: boolean;
}

export interface NodeSpec {
  nodeId: string;
  port: number;
  env: Record<string, string>;
  /** Where the node's JSON logs go: 'inherit' (this terminal), 'ignore', or a file path. */
  output?: 'inherit' | 'ignore' | string;
  /** HTTP address the node binds and is reached at (default 127.0.0.1). */
  host?: string;
  /**
   * A network namespace to run the node in (`ip netns exec`, which execs the node in place, so
   * the child's pid is the node's and signals reach it directly). Chaos runs use it to cut one
   * node off the network.
   */
  netns?: string;
}

/**
 * Starts `votestream node` and resolves once GET /health answers (200 or 503). A node that
 * does not serve within `timeoutMs`, or whose start `cancel` aborts, is killed before this
 * rejects, so nothing is left running.
 */
export async function startNodeProcess(
  spec: NodeSpec,
  timeoutMs = 20_000,
  cancel?: AbortSignal,
): Promise<NodeProcess> {
  const host = spec.host ?? '127.0.0.1';
  const env = {
    ...spec.env,
    VS_NODE_ID: spec.nodeId,
    VS_HTTP_PORT: String(spec.port),
    ...(spec.host ? { VS_HTTP_HOST: spec.host } : {}),
  };
  const output = spec.output ?? 'ignore';
  const stdio =
    output === 'inherit' || output === 'ignore' ? output : { file: output, append: true };
  const [command, args] = spec.netns
    ? ['ip', ['netns', 'exec', spec.netns, 'node', BIN, 'node']]
    : ['node', [BIN, 'node']];
  const child = execa(command, args, {
    env,
    reject: false,
    stdout: stdio,
    stderr: stdio,
    stdin: 'ignore',
    // stop() decides when a node is killed; execa's own SIGKILL would come after 5 s.
    forceKillAfterDelay: false,
  });
  const url = `http://${host}:${spec.port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      // Its last words say why (a port in use, a bad setting): they may be all anyone sees.
      const said = typeof stdio === 'object' ? lastLines(stdio.file, 3) : '';
      throw new Error(
        `node ${spec.nodeId} exited with ${child.exitCode} before it served${said ? `: ${said}` : ''}`,
      );
    }
    try {
      // A process that accepts but never answers (stopped, wedged) must not hold this up.
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline || cancel?.aborted) {
        // Not left behind: a node that never served is nobody's to stop later.
        child.kill('SIGKILL');
        await child;
        throw new Error(
          cancel?.aborted
            ? `node ${spec.nodeId}: start cancelled`
            : `node ${spec.nodeId} did not serve on ${url}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    nodeId: spec.nodeId,
    url,
    env,
    child,
    async stop(graceMs = 10_000) {
      let killed = false;
      const wasRunning = child.exitCode === null && child.signalCode === null;
      if (wasRunning) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, graceMs);
        await child;
        clearTimeout(timer);
      }
      return {
        nodeId: spec.nodeId,
        pid: child.pid,
        exitCode: child.exitCode ?? undefined,
        signal: child.signalCode ?? undefined,
        wasRunning,
        killed,
      };
    },
  };
}

/** The last `count` lines of the file at `path`, joined by " | "; empty if it cannot be read. */
function lastLines(path: string, count: number): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-count).join(' | ');
  } catch {
    return '';
  }
}
