// Baseline for bench/append: the same fastify setup as a node, with a POST /votes that
// parses the JSON body and answers 201 without doing anything.
import Fastify, { LogController } from 'fastify';

const app = Fastify({
  logController: new LogController({ disableRequestLogging: true }),
  bodyLimit: 64 * 1024,
});
app.get('/health', async () => ({ status: 'ready' }));
app.post('/votes', async (_request, reply) => reply.status(201).send({ receipt: {} }));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
