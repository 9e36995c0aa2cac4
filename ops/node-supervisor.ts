// Keeps a local node running for `votestream up`: a node that exits without being asked to
// (a crash, a SIGKILL, an OOM) is started again with the same id, port and snapshot folder,
// after a pause that doubles while it keeps failing (1 s … 30 s), as a process manager would.
import { type NodeExit, type NodeProcess, type NodeSpec, startNodeProcess } from './local-nodes.ts';

export interface SupervisedNode {
  readonly nodeId: string;
  readonly url: string;
  /** The process running now (changes on each restart). */
  current(): NodeProcess;
  /**
   * Stops the node for good (no restart after this): SIGTERM, then SIGKILL by pid once
   * `graceMs` have passed. A restart on its way is cancelled (its process killed).
   */
  stop(graceMs?: number): Promise<NodeExit>;
}

const FIRST_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 30_000;
/** A node that served this long before exiting is healthy again: back to the first pause. */
const HEALTHY_MS = 60_000;

export async function superviseNode(
  spec: NodeSpec,
  report: (line: string) => void,
): Promise<SupervisedNode> {
  let node = await startNodeProcess(spec);
  let stopping = false;
  let pause = FIRST_PAUSE_MS;
  /** A restart in progress: stop() cancels it and waits, so no new process is left running. */
  let restarting: Promise<NodeProcess> | undefined;
  const cancelRestart = new AbortController();
  const watch = (running: NodeProcess) => {
    const started = Date.now();
    void running.child.then(async (result) => {
      if (stopping) return;
      const how = result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
      if (Date.now() - started > HEALTHY_MS) pause = FIRST_PAUSE_MS;
      report(`node ${spec.nodeId} stopped (${how}); restarting in ${pause / 1000} s`);
      for (;;) {
        await new Promise((r) => setTimeout(r, pause));
        if (stopping) return;
        pause = Math.min(2 * pause, MAX_PAUSE_MS);
        try {
          restarting = startNodeProcess(spec, undefined, cancelRestart.signal);
          node = await restarting;
          report(`node ${spec.nodeId} restarted: ${node.url}`);
          watch(node);
          return;
        } catch (error) {
          if (stopping) return;
          report(`node ${spec.nodeId} did not start (${(error as Error).message}); retrying`);
        } finally {
          restarting = undefined;
        }
      }
    });
  };
  watch(node);
  return {
    nodeId: spec.nodeId,
    url: node.url,
    current: () => node,
    async stop(graceMs) {
      stopping = true;
      cancelRestart.abort();
      await restarting?.catch(() => undefined);
      return node.stop(graceMs);
    },
  };
}
