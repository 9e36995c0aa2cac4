// `votestream up` as a child process for tests: a new folder and free ports; its output, the
// pids of its nodes, and a clean-up that leaves nothing running, after a failure too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { killClusterSync } from '../../ops/redis-processes.ts';
import { until } from './node.ts';
import { freeBasePort } from './redis-cluster.ts';

/** Runs `votestream up` in a new folder on free ports; resolves once it says it is ready. */
export async function startUp(env: Record<string, string> = {}, { ownGroup = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'votestream-up-'));
  const redisPort = await freeBasePort(6);
  const port = await freeBasePort(3);
  const child = execa(
    'node',
    [
      'bin/votestream.js',
      'up',
      '--redis-port',
      String(redisPort),
      '--port',
      String(port),
      '--dir',
      dir,
    ],
    // ownGroup: up and its nodes in a process group of their own, as in a terminal.
    { reject: false, env: { VS_REDIS_CLUSTER: '', VS_REDIS_URL: '', ...env }, detached: ownGroup },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const cleanUp = async (pids: number[] = []) => {
    // After a failure too: nothing it started may outlive the test, stopped or not.
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await child;
      clearTimeout(timer);
    }
    killClusterSync(join(dir, 'redis'));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(() => /Press Ctrl-C/.test(out), 60_000, 'up did not finish starting');
  } catch (error) {
    await cleanUp();
    throw new Error(`${(error as Error).message} in 60 s; it printed: ${out || '(nothing)'}`);
  }
  // An object around the child: a promise of a thenable would wait for it to exit.
  return { child, dir, port, redisPort, out: () => out, cleanUp };
}

/** Whether the process runs (an exited one that init has not reaped yet does not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pid of up's child process running node `nodeId` (found by parent pid, then env). */
export function nodePid(upPid: number, nodeId: string): number {
  const children = readFileSync(`/proc/${upPid}/task/${upPid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  const pid = children.find((c) => {
    try {
      return readFileSync(`/proc/${c}/environ`, 'utf8')
        .split('\0')
        .includes(`VS_NODE_ID=${nodeId}`);
    } catch {
      return false;
    }
  });
  if (!pid) throw new Error(`no child process of ${upPid} runs ${nodeId}`);
  return pid;
}
