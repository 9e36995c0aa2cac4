// README.md's "Client" example, run as a program outside this repo would run it: the fenced
// block right after the marker `<!-- client example` is written, unchanged, into a fresh
// folder whose node_modules holds `votestream` (this repo) and `tsx` (its dependency, as an
// install hoists it), and run there with `node --import tsx`. Only its environment differs
// from a reader's: VS_NODES (two listening nodes on one log of a test cluster) and
// VS_ADMIN_TOKEN. What it prints is checked line by line against what the README says.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN_TOKEN, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';

const MARKER = '<!-- client example';

/** The code of the first fenced block after the marker line, or a thrown Error naming why not. */
export function clientExample(readme: string): string {
  const lines = readme.split('\n');
  const at = lines.findIndex((line) => line.startsWith(MARKER));
  if (at < 0) throw new Error(`README.md has no line starting with ${MARKER}`);
  if (!/^```ts\s*$/.test(lines[at + 1] ?? ''))
    throw new Error('the client example marker is not followed by a ```ts block');
  const end = lines.findIndex((line, i) => i > at + 1 && line.startsWith('```'));
  if (end < 0) throw new Error('the client example block is not closed');
  return lines.slice(at + 2, end).join('\n');
}

const example = suite("README.md's client example");
let nodes: RunningNode[] = [];
let dir: string | undefined;

example.before(async () => {
  const cluster = await sharedCluster();
  const ids = ['rc1', 'rc2'];
  let prefix: Record<string, string> = {};
  for (const id of ids) {
    const node = await startTestNode(
      cluster,
      { VS_NODE_ID: id, VS_MEMBERS: ids.join(','), ...prefix },
      { listen: true },
    );
    nodes.push(node);
    prefix = { VS_PREFIX: node.ctx.config.prefix };
  }
});
example.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
  if (dir) await rm(dir, { recursive: true, force: true });
});

example('runs as printed and prints what the README says it prints', async () => {
  const code = clientExample(await readFile('README.md', 'utf8'));
  assert.match(code, "from 'votestream/client'");
  dir = await mkdtemp(join(tmpdir(), 'vs-readme-client-'));
  await mkdir(join(dir, 'node_modules'));
  await symlink(resolve('.'), join(dir, 'node_modules', 'votestream'), 'dir');
  await symlink(resolve('node_modules/tsx'), join(dir, 'node_modules', 'tsx'), 'dir');
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  await writeFile(join(dir, 'example.ts'), code);
  const run = await execa('node', ['--import', 'tsx', 'example.ts'], {
    cwd: dir,
    env: { VS_NODES: nodes.map((n) => n.url!).join(','), VS_ADMIN_TOKEN: ADMIN_TOKEN },
    reject: false,
    timeout: 60_000,
  });
  assert.is(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
  const lines = String(run.stdout).split('\n');
  assert.is(lines.length, 6, String(run.stdout));
  assert.match(lines[0]!, /^alice: 201 [0-9a-f-]{36}$/);
  assert.equal(lines.slice(1, 4), ['bob: 201', 'carol: 201', 'dave: 201']);
  assert.is(lines[4], 'alice again: 409 ALREADY_VOTED');
  assert.is(lines[5], 'winners: pizza');
});

example('the marker finds its block, and a README without one fails loudly', () => {
  assert.is(clientExample('x\n<!-- client example -->\n```ts\na();\nb();\n```\n'), 'a();\nb();');
  assert.throws(() => clientExample('```ts\na();\n```\n'), /no line starting with/);
  assert.throws(() => clientExample('<!-- client example -->\n```sh\na\n```\n'), /```ts block/);
});

example.run();
