// Loads the Lua scripts of streams/lua once per client with ioredis defineCommand. A file's
// name ends with its KEYS count (close-shard-3.lua), as in BullMQ; a name without a count
// (append-votes.lua) takes a variable number of keys, passed as the first argument. As in
// BullMQ, a line `--- @include "includes/name"` is replaced by streams/lua/includes/name.lua,
// so what several scripts share (the chain hash) is written once.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';

const LUA_DIR = fileURLToPath(new URL('../../streams/lua/', import.meta.url));

const INCLUDE = /^--- @include "([\w/-]+)"$/gm;

/**
 * `lua` with each line `--- @include "path"` replaced by the text of streams/lua/path.lua.
 * Included files are not searched for includes themselves.
 * @throws Error (ENOENT) when an included file does not exist.
 */
export function withIncludes(lua: string): string {
  return lua.replace(INCLUDE, (_, path: string) => readFileSync(`${LUA_DIR}${path}.lua`, 'utf8'));
}

type Reply = Promise<unknown[]>;

/** The scripts as commands on a client (and on its pipelines). */
export interface ScriptCommands {
  appendVotes(...args: (string | number)[]): Reply;
  claimVoteIds(...args: (string | number)[]): Promise<string>;
  releaseVoteIds(...args: (string | number)[]): Promise<number>;
  closeShard(...args: (string | number)[]): Reply;
  createPoll(...args: (string | number)[]): Reply;
  closePoll(...args: (string | number)[]): Reply;
  markCommit(...args: (string | number)[]): Reply;
  acquireLease(...args: (string | number)[]): Reply;
  renewLease(...args: (string | number)[]): Promise<number>;
  releaseLease(...args: (string | number)[]): Promise<number>;
  raiseFence(...args: (string | number)[]): Promise<number>;
  readPage(...args: (string | number)[]): Promise<string[]>;
  replicationInfo(...args: (string | number)[]): Promise<string>;
}

export type ScriptedClient = (Redis | Cluster) & ScriptCommands;

const scripts = readdirSync(LUA_DIR)
  .filter((f) => f.endsWith('.lua'))
  .map((file) => {
    const [, name = '', keys] = file.match(/^(.*?)(?:-(\d+))?\.lua$/) ?? [];
    const command = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const numberOfKeys = keys === undefined ? undefined : Number(keys);
    return { command, numberOfKeys, lua: withIncludes(readFileSync(LUA_DIR + file, 'utf8')) };
  });

/** Defines every script as a command of `client`; idempotent per client. */
export function defineScripts(client: Redis | Cluster): ScriptedClient {
  for (const { command, numberOfKeys, lua } of scripts) {
    if (!(command in client)) client.defineCommand(command, { numberOfKeys, lua });
  }
  return client as ScriptedClient;
}

export const SCRIPT_NAMES = scripts.map((s) => s.command);

/**
 * The Lua text of a script as it is loaded (includes expanded), for a tool that sends it by
 * itself (EVAL, SCRIPT LOAD).
 * @throws RangeError when streams/lua has no such script.
 */
export function scriptLua(command: string): string {
  const script = scripts.find((s) => s.command === command);
  if (!script) throw new RangeError(`no script ${command} in streams/lua`);
  return script.lua;
}
