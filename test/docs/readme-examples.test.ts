// README.md's examples, run as a reader runs them: its curl commands and its `votestream tokens`
// line, in page order, by bash and the real curl, against three listening nodes on one log of a
// test cluster — the three nodes `npm start` runs (ports 3001–3003 are rewritten to theirs, `$T`
// is their admin token). Each must succeed, or answer the status it shows, and show the shape
// of the output it shows. The page's conventions are in shell-examples.ts. Needs curl on PATH.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningNode } from '../../src/node.ts';
import { ADMIN_TOKEN, startTestNode } from '../helpers/node.ts';
import { sharedCluster } from '../helpers/redis-cluster.ts';
import { type ShellExample, shapeDifferences, shellExamples } from './shell-examples.ts';

const BIN = 'bin/votestream.js';
const readme = readFileSync('README.md', 'utf8');
const examples = suite("README.md's examples run against a cluster of three nodes");
let nodes: RunningNode[] = [];

/** The `(default: "…")` of `--option` in `votestream <command> --help` (wrapped or not). */
async function helpDefault(command: string, option: string): Promise<string> {
  const { stdout } = await execa('node', [BIN, command, '--help']);
  // The option's entry runs to the next line that starts another option.
  const entry = stdout.split(/\n(?= {2}-)/).find((e) => e.trimStart().startsWith(`${option} `));
  const match = /\(default: "([^"]+)"\)/.exec(entry?.replace(/\s+/g, ' ') ?? '');
  if (!match) throw new Error(`no default for ${option} in ${command} --help:\n${stdout}`);
  return match[1]!;
}

examples.before(async () => {
  const cluster = await sharedCluster();
  const ids = ['n1', 'n2', 'n3'];
  let prefix: Record<string, string> = {};
  try {
    for (const id of ids) {
      const env = {
        VS_NODE_ID: id,
        VS_MEMBERS: ids.join(','),
        // `votestream up` gives its nodes a voter secret; the README's token poll needs one.
        VS_VOTER_SECRET: 'readme-voter-secret-0123456789abcdef',
        ...prefix,
      };
      const node = await startTestNode(cluster, env, { listen: true });
      nodes.push(node);
      prefix = { VS_PREFIX: node.ctx.config.prefix };
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
    throw error;
  }
});

examples.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

examples('npm ci, then npm start runs votestream up and npm test runs every test', async () => {
  assert.match(readme, /After `npm ci`:\n\n```sh\nnpm start {2,}#[^\n]*\nnpm test {3,}#/);
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>;
  };
  // What test/cli/up.test.ts runs (test/helpers/up-process.ts): `node bin/votestream.js up`,
  // exec'd: npm passes a SIGINT or SIGTERM to its child, and a shell in between ignored it, so
  // `kill -INT <npm's pid>` of a background `npm start` stopped npm and left everything running.
  assert.is(scripts.start, `exec node ${BIN} up`);
  // No pattern: test/run.ts then takes every *.test.ts file.
  assert.is(scripts.test, 'node --import tsx test/run.ts');
  // "3 nodes" and the ports the examples use are up's defaults.
  assert.match(readme, /npm start {3}# runs votestream locally: a Redis Cluster[^\n]* and 3 nodes/);
  assert.is(await helpDefault('up', '--nodes'), '3');
  assert.is(await helpDefault('up', '--port'), '3001');
});

/** The README's command with ports 3001… on localhost rewritten to the test nodes'. */
function onTestNodes(command: string, firstPort: number, defaultTarget: string): string {
  // `votestream tokens` without --target asks its default, the first node.
  const targeted = /\bvotestream tokens\b/.test(command) && !/--target\b/.test(command);
  const full = targeted ? `${command} --target ${defaultTarget}` : command;
  return full.replace(/\b(?:localhost|127\.0\.0\.1):(\d+)\b/g, (written, port: string) => {
    const node = nodes[Number(port) - firstPort];
    if (!node) throw new Error(`${written}: not one of the ${nodes.length} nodes npm start runs`);
    return new URL(node.url).host;
  });
}

/** Runs one example in bash; curl prints its status on a last line of its own. */
async function run(example: ShellExample, command: string) {
  const script = `set -o pipefail
curl() { command curl --silent --show-error --write-out '\\n%{http_code}' "$@"; }
${command}`;
  // npm_config_yes=false: if npx did not find this package's own bin it must fail, not
  // download some other "votestream" from the registry.
  const result = await execa('bash', ['-c', script], {
    reject: false,
    env: { T: ADMIN_TOKEN, npm_config_yes: 'false' },
  });
  const where = `README.md:${example.line}: ${example.command}\n${result.stdout}\n${result.stderr}`;
  assert.is(result.exitCode, 0, where);
  return { stdout: String(result.stdout), where };
}

examples('every curl example and the tokens line succeed, in README order', async () => {
  const all = shellExamples(readme);
  const runnable = all.filter(
    (e) => /^curl\b/.test(e.command) || /\bvotestream tokens\b/.test(e.command),
  );
  assert.ok(runnable.length >= 5, `only ${runnable.length} examples found`);
  // The admin token is a placeholder the reader fills in before the first `$T`.
  const firstT = runnable.findIndex((e) => e.command.includes('$T'));
  assert.ok(
    firstT >= 0 && all.some((e) => e.line < runnable[firstT]!.line && /^T=/.test(e.command)),
    'the README uses $T before it says T=<admin token …>',
  );
  const firstPort = Number(await helpDefault('up', '--port'));
  const defaultTarget = await helpDefault('tokens', '--target');
  assert.is(defaultTarget, `http://127.0.0.1:${firstPort}`);

  for (const example of runnable) {
    const { stdout, where } = await run(
      example,
      onTestNodes(example.command, firstPort, defaultTarget),
    );
    if (example.command.startsWith('curl')) {
      const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
      const body = stdout.slice(0, stdout.lastIndexOf('\n'));
      if (example.status === undefined) assert.ok(status >= 200 && status < 400, where);
      else assert.is(status, example.status, where);
      if (example.shown !== undefined) {
        assert.equal(shapeDifferences(example.shown, JSON.parse(body)), [], where);
      }
    } else {
      // voterId<TAB>token, one line per voter it was given.
      const lines = stdout.trimEnd().split('\n');
      assert.ok(lines.length > 0 && lines.every((l) => /^[^\t]+\t\S+$/.test(l)), where);
    }
  }
});

examples.run();
