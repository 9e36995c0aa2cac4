// Loads the Lua scripts of streams/lua once per client with ioredis defineCommand. A file's
// name ends with its KEYS count (close-shard-3.lua), as in BullMQ; a name without a count
// (append-votes.lua) takes a variable number of keys, passed as the first argument. As in
// BullMQ, a line `--- @include "includes/name"` is replaced by streams/lua/includes/name.lua,
// so what several scripts share (the chain hash) is written once. The commands' types are in
// script-commands.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';
import type { ScriptName } from './script-commands.ts';

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

const scripts = readdirSync(LUA_DIR)
  .filter((f) => f.endsWith('.lua'))
  .map((file) => {
    const [, name = '', keys] = file.match(/^(.*?)(?:-(\d+))?\.lua$/) ?? [];
    const command = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const numberOfKeys = keys === undefined ? undefined : Number(keys);
    return { command, numberOfKeys, lua: withIncludes(readFileSync(LUA_DIR + file, 'utf8')) };
  });

/**
 * Defines every script as a command of `client` (idempotent per client) and returns it. The
 * commands are typed on every ioredis client (script-commands.ts); only a client that went
 * through here has them at run time.
 */
export function defineScripts<C extends Redis | Cluster>(client: C): C {
  for (const { command, numberOfKeys, lua } of scripts) {
    if (!(command in client)) client.defineCommand(command, { numberOfKeys, lua });
  }
  return client;
}

/** The command names of the scripts in streams/lua. */
export const SCRIPT_NAMES = scripts.map((s) => s.command);

/**
 * The Lua text of a script as it is loaded (includes expanded), for a tool that sends it by
 * itself (EVAL, SCRIPT LOAD).
 * @throws RangeError when streams/lua has no such script.
 */
export function scriptLua(command: ScriptName): string {
  const script = scripts.find((s) => s.command === command);
  if (!script) throw new RangeError(`no script ${command} in streams/lua`);
  return script.lua;
}
