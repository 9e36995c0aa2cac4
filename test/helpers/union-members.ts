// What a test compares a list read at run time (schema files, Lua files) with: the members of
// a string union, which only the typecheck knows.

/**
 * The keys of `listed`, sorted. With `T` given, the typecheck holds `listed` to exactly the
 * members of `T`: one left out, or one that is not a member, fails it.
 */
export function unionMembers<T extends string>(listed: Record<T, true>): T[] {
  return (Object.keys(listed) as T[]).sort();
}
