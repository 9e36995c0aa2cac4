// A standalone redis-server on a free port (no persistence), for copies of the log
// (`replay --into`): the caller kills it by its child handle when done.
import { execa, type ResultPromise } from 'execa';
import { until } from './node.ts';
import { freeBasePort } from './redis-cluster.ts';

export interface StandaloneRedis {
  url: string;
  port: number;
  server: ResultPromise;
  /** SIGKILL and wait: the data is thrown away with it. */
  stop(): Promise<void>;
}

/** Starts one and resolves once it answers PING. */
export async function startStandaloneRedis(): Promise<StandaloneRedis> {
  const port = await freeBasePort(1);
  const server = execa(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      reject: false,
    },
  );
  const stop = async () => {
    server.kill('SIGKILL');
    await server;
  };
  try {
    await until(
      async () =>
        (await execa('redis-cli', ['-p', String(port), 'ping'], { reject: false })).stdout ===
        'PONG',
      5000,
      'redis-server did not start',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, server, stop };
}
