// The count worker thread (see result-counter.ts): compiles and counts each request it is sent,
// in order, and answers with the count or the error it threw.
import { parentPort } from 'node:worker_threads';
import { countBallots } from '../domain/count/count-ballots.ts';
import { compileRankings } from '../domain/ranking-profile.ts';
import type { CountReply, CountRequest } from './result-counter.ts';

const port = parentPort;
if (!port) throw new Error('count-worker.ts runs as a worker thread');

port.on('message', ({ id, rules, options, parts }: CountRequest) => {
  let reply: CountReply;
  try {
    reply = { id, result: countBallots(compileRankings(options, parts), rules) };
  } catch (error) {
    const { name, message, code } = error as Error & { code?: string };
    reply = { id, error: { name, code, message } };
  }
  port.postMessage(reply);
});
