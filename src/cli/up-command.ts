// `votestream up` (= `npm start`): the whole thing locally. Ctrl-C stops all of it.
import { Command, Option } from 'commander';
import { redisDown, redisUp } from '../../ops/redis-cluster.ts';

export function upCommand(): Command {
  return new Command('up')
    .description('run a local Redis Cluster and votestream nodes until Ctrl-C')
    .addOption(
      new Option('--redis-port <port>', 'first port of the local Redis Cluster').default('7000'),
    )
    .addOption(new Option('--dir <path>', 'Redis data, pid files and logs').default('.data/redis'))
    .action(async (flags: { redisPort: string; dir: string }) => {
      const layout = { port: Number(flags.redisPort), masters: 3, replicas: 1, dir: flags.dir };
      const { alreadyRunning, status } = await redisUp(layout);
      const seeds = status.masters.map((m) => m.address).join(',');
      console.log(`Redis Cluster ${alreadyRunning ? 'already running' : 'started'}: ${seeds}`);
      console.log('Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // Leave a cluster we found running to whoever started it.
      if (!alreadyRunning) {
        const stopped = await redisDown(layout);
        console.log(`stopped Redis on ports ${stopped.join(', ')}`);
      }
    });
}
