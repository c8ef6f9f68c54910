/**
 * The directory tree of METADATA_FILE_LAYOUT (the file loader's layout):
 * one file per item at `<tenantId>/<scope>/<type>/<namespace>/<name>.json`,
 * or `<tenantId>/user/<owner>/<type>/<namespace>/<name>.json` for user
 * scope. The scope and owner are part of the path because they are part of
 * the identity key: a tree without them (`<tenant>/<type>/<namespace>/...`)
 * would write a user's customisation over the platform item of the same
 * name. Every segment is validated as the key field it becomes, so a path
 * never holds `..`, a hidden name or a separator; anything under the root
 * that is not such a file is reported, never skipped.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MachineNameSchema, MetadataScopeSchema, OpaqueIdSchema, type MetadataScope } from '@metasource/spec';

/** The identity key of an item. */
export interface ItemKey {
  tenantId: string;
  type: string;
  namespace: string;
  scope: MetadataScope;
  owner?: string;
  name: string;
}

/** An item's key as one readable string, the same as its tree path without `.json`: `acme/platform/object/crm/account`. */
export function keyString(key: ItemKey): string {
  return treeSegments(key).join('/').slice(0, -'.json'.length);
}

/** The path segments of an item's file under the tree root. */
export function treeSegments(key: ItemKey): string[] {
  const owner = key.scope === 'user' ? [key.owner ?? ''] : [];
  return [key.tenantId, key.scope, ...owner, key.type, key.namespace, `${key.name}.json`];
}

/** The relative path of an item's file (with `/`). */
export function treePath(key: ItemKey): string {
  return treeSegments(key).join('/');
}

/** What a directory level of the tree holds. */
export type TreeLevel = 'tenantId' | 'scope' | 'owner' | 'type' | 'namespace' | 'name';

/** The level the next segment is at, given the segments above it. */
export function levelAt(segments: readonly string[]): TreeLevel {
  const user = segments[1] === 'user';
  const levels: TreeLevel[] = user
    ? ['tenantId', 'scope', 'owner', 'type', 'namespace', 'name']
    : ['tenantId', 'scope', 'type', 'namespace', 'name'];
  return levels[Math.min(segments.length, levels.length - 1)]!;
}

const LEVEL_RULES: Record<TreeLevel, string> = {
  tenantId: 'a tenant id (an OpaqueId: a letter or digit, then letters, digits and _ . : @ -, at most 128)',
  scope: 'a scope: system, platform or user',
  owner: 'an owner (an OpaqueId: a letter or digit, then letters, digits and _ . : @ -, at most 128)',
  type: 'a type (a MachineName: lower-case snake_case, at most 63)',
  namespace: 'a namespace (a MachineName: lower-case snake_case, at most 63)',
  name: 'a name (a MachineName: lower-case snake_case, at most 63) followed by .json',
};

/** Whether a segment is valid at its level. */
export function validSegment(level: TreeLevel, segment: string): boolean {
  switch (level) {
    case 'tenantId':
    case 'owner':
      return OpaqueIdSchema.safeParse(segment).success;
    case 'scope':
      return MetadataScopeSchema.safeParse(segment).success;
    case 'type':
    case 'namespace':
    case 'name':
      return MachineNameSchema.safeParse(segment).success;
  }
}

/** The key a file's path gives, or why the path is not one of the layout's. */
export function keyFromTreePath(segments: readonly string[]): { key: ItemKey } | { error: string } {
  const scope = segments[1];
  const expected = scope === 'user' ? 6 : 5;
  if (segments.length !== expected) {
    return {
      error: `a file at the wrong depth: items are at ${scope === 'user' ? '<tenantId>/user/<owner>/<type>/<namespace>/<name>.json' : '<tenantId>/<scope>/<type>/<namespace>/<name>.json'}`,
    };
  }
  const file = segments[segments.length - 1]!;
  if (!file.endsWith('.json')) return { error: 'not a .json file: every item is a <name>.json file' };
  const parts = [...segments.slice(0, -1), file.slice(0, -'.json'.length)];
  for (const [index, part] of parts.entries()) {
    const level = levelAt(parts.slice(0, index));
    if (!validSegment(level, part)) return { error: `${JSON.stringify(part)} is not ${LEVEL_RULES[level]}` };
  }
  const [tenantId, , ...rest] = parts;
  const key: ItemKey =
    scope === 'user'
      ? { tenantId: tenantId!, scope: 'user', owner: rest[0]!, type: rest[1]!, namespace: rest[2]!, name: rest[3]! }
      : { tenantId: tenantId!, scope: scope as MetadataScope, type: rest[0]!, namespace: rest[1]!, name: rest[2]! };
  return { key };
}

/** A file of the tree, or an entry that breaks the layout. */
export type TreeEntry =
  { kind: 'file'; segments: string[]; path: string; key: ItemKey } | { kind: 'problem'; segments: string[]; path: string; message: string };

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every entry under `root`, depth first in code point order of names: the
 * item files with their keys, and a problem for each entry that breaks the
 * layout (a hidden entry, a file at the wrong depth or with another
 * extension, a directory where a file belongs, a segment that is not a valid
 * key field). Symbolic links are followed.
 */
export async function* walkTree(root: string, segments: string[] = [], signal?: AbortSignal): AsyncGenerator<TreeEntry> {
  const dir = join(root, ...segments);
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
  const level = levelAt(segments);
  for (const entry of entries) {
    if (signal?.aborted) return;
    const here = [...segments, entry.name];
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (entry.name.startsWith('.')) {
      yield { kind: 'problem', segments: here, path, message: `a hidden ${isDirectory ? 'directory' : 'file'}: the layout has none` };
      continue;
    }
    if (!isDirectory && !isFile) {
      yield { kind: 'problem', segments: here, path, message: 'neither a file nor a directory' };
      continue;
    }
    if (level === 'name') {
      if (isDirectory) {
        yield { kind: 'problem', segments: here, path, message: 'a directory where item files belong (<name>.json)' };
        continue;
      }
      const parsed = keyFromTreePath(here);
      if ('error' in parsed) yield { kind: 'problem', segments: here, path, message: parsed.error };
      else yield { kind: 'file', segments: here, path, key: parsed.key };
      continue;
    }
    if (!isDirectory) {
      yield { kind: 'problem', segments: here, path, message: `a file at the wrong depth: a ${level} directory belongs here` };
      continue;
    }
    if (!validSegment(level, entry.name)) {
      yield { kind: 'problem', segments: here, path, message: `${JSON.stringify(entry.name)} is not ${LEVEL_RULES[level]}` };
      continue;
    }
    yield* walkTree(root, here, signal);
  }
}
