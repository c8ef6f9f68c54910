/**
 * The sample metadata set (examples/metadata/): every file under its tree is
 * a `record`-format file at the path METADATA_FILE_LAYOUT gives its key, and
 * parses as a MetadataRecord (in Zod and in the emitted JSON Schema) once the
 * key is filled in from the path; the set is large and varied enough (both
 * tenants, every scope); every `extends` resolves, checked twice: by a model
 * of R38 written here, and by importing the set into the memory store as an
 * operator and loading each tenant with resolveInheritance, as each user and
 * as nobody's user, and comparing. The README's counts and the committed
 * files are what scripts/generate-sample-metadata.ts produces.
 *
 * '@metasource/spec' and '@metasource/store' resolve to the built packages;
 * `pnpm test` builds them first (`pnpm run build:package`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MachineNameSchema,
  MetadataRecordSchema,
  MetadataScopeSchema,
  OpaqueIdSchema,
  type JsonObject,
  type JsonValue,
  type MetadataCallContextInput,
  type MetadataRecord,
  type MetadataRecordInput,
  type MetadataScope,
} from '@metasource/spec';
import { createMemoryStore, type MemoryStore } from '@metasource/store';
import { JSON_SCHEMA_DIR, ajvForVariant } from '../support/ajv';
import {
  GENERATED_END,
  GENERATED_START,
  SAMPLE_README,
  SAMPLE_ROOT,
  readmeSection,
  sampleFiles,
  servedCount,
} from '../support/sample-metadata';

// ---------------------------------------------------------------------------
// Reading the tree as a file loader does (record format)
// ---------------------------------------------------------------------------

type Key = Pick<MetadataRecord, 'tenantId' | 'scope' | 'owner' | 'type' | 'namespace' | 'name'>;
const KEY_FIELDS = ['tenantId', 'scope', 'owner', 'type', 'namespace', 'name'] as const;

/** The key a path gives under METADATA_FILE_LAYOUT, or the problems that make it no item's path. */
function keyFromPath(path: string): { key?: Key; problems: string[] } {
  const segments = path.split('/');
  const problems: string[] = [];
  const file = segments[segments.length - 1] ?? '';
  if (segments.some((segment) => segment.startsWith('.'))) problems.push(`${path}: a hidden file or directory`);
  if (!file.endsWith('.json')) return { problems: [...problems, `${path}: the file name does not end in .json`] };
  const scope = MetadataScopeSchema.safeParse(segments[1]);
  if (!scope.success) return { problems: [...problems, `${path}: "${segments[1]}" is not a scope (system, platform, user)`] };
  const expectedDepth = scope.data === 'user' ? 6 : 5;
  if (segments.length !== expectedDepth) {
    return { problems: [...problems, `${path}: a ${scope.data} item is ${expectedDepth} segments deep, not ${segments.length}`] };
  }
  const [tenantId, , ...rest] = segments as [string, string, ...string[]];
  const owner = scope.data === 'user' ? rest.shift() : undefined;
  const [type, namespace] = rest as [string, string, string];
  const name = file.replace(/\.json$/, '');
  const check = (label: string, value: string, schema: typeof OpaqueIdSchema | typeof MachineNameSchema) => {
    const result = schema.safeParse(value);
    if (!result.success) problems.push(`${path}: ${label} "${value}" ${result.error.issues[0]!.message}`);
  };
  check('tenantId', tenantId, OpaqueIdSchema);
  if (owner !== undefined) check('owner', owner, OpaqueIdSchema);
  check('type', type, MachineNameSchema);
  check('namespace', namespace, MachineNameSchema);
  check('name', name, MachineNameSchema);
  if (problems.length > 0) return { problems };
  return { key: { tenantId, scope: scope.data, ...(owner !== undefined ? { owner } : {}), type, namespace, name }, problems };
}

interface ReadFile {
  /** The file's object with the key filled in from the path: what the runtime validates and imports. */
  input?: MetadataRecordInput;
  record?: MetadataRecord;
  /** Which key fields the file itself gives. */
  givenKeyFields: string[];
  problems: string[];
}

/**
 * One file as the file loader reads it in the `record` format: UTF-8 JSON
 * holding an object; each key field it gives must equal the path's; the rest
 * of the key comes from the path; the whole must be a MetadataRecord.
 */
function readRecordFile(path: string, bytes: Uint8Array): ReadFile {
  const { key, problems } = keyFromPath(path);
  if (!key) return { givenKeyFields: [], problems };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { givenKeyFields: [], problems: [`${path}: not UTF-8 JSON (${(error as Error).message})`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { givenKeyFields: [], problems: [`${path}: the file holds no JSON object`] };
  }
  const file = value as Record<string, unknown>;
  const givenKeyFields = KEY_FIELDS.filter((field) => field in file);
  for (const field of givenKeyFields) {
    if (file[field] !== key[field]) {
      problems.push(`${path}: ${field} is ${JSON.stringify(file[field])} but the path says ${JSON.stringify(key[field] ?? null)}`);
    }
  }
  const input = { ...file, ...key } as MetadataRecordInput;
  const parsed = MetadataRecordSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { input, ...(parsed.success ? { record: parsed.data } : {}), givenKeyFields, problems };
}

/** Every entry under `dir` (files and directories), relative, '/'-separated, sorted. */
function walk(dir: string): { files: string[]; dirs: string[] } {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const rel = (entry: (typeof entries)[number]) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/');
  return {
    files: entries
      .filter((entry) => !entry.isDirectory())
      .map(rel)
      .sort(),
    dirs: entries
      .filter((entry) => entry.isDirectory())
      .map(rel)
      .sort(),
  };
}

// ---------------------------------------------------------------------------
// A model of layering and inheritance (R15, R38), to compare the store with
// ---------------------------------------------------------------------------

const RANK: Record<MetadataScope, number> = { system: 0, platform: 1, user: 2 };
const EARLIER: Record<MetadataScope, MetadataScope[]> = { system: [], platform: ['system'], user: ['platform', 'system'] };

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 7396, as the guide gives it. */
function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const itemKey = (r: Pick<MetadataRecord, 'tenantId' | 'type' | 'namespace' | 'name'>) => `${r.tenantId}/${r.type}/${r.namespace}/${r.name}`;
const fullKey = (r: Key) => `${r.tenantId}/${r.scope}/${r.owner ?? '-'}/${r.type}/${r.namespace}/${r.name}`;

/** The parent `extends` names: the non-archived item of that name in the nearest earlier scope, same tenant, type and namespace. */
function parentOf(record: MetadataRecord, all: readonly MetadataRecord[]): MetadataRecord | undefined {
  if (record.extends === undefined) return undefined;
  for (const scope of EARLIER[record.scope]) {
    const parent = all.find(
      (r) =>
        r.scope === scope &&
        r.state !== 'archived' &&
        r.tenantId === record.tenantId &&
        r.type === record.type &&
        r.namespace === record.namespace &&
        r.name === record.extends,
    );
    if (parent) return parent;
  }
  return undefined;
}

function effectivePayload(record: MetadataRecord, all: readonly MetadataRecord[]): JsonObject {
  if (record.extends === undefined) return record.payload;
  const parent = parentOf(record, all);
  if (!parent) throw new Error(`${fullKey(record)} extends ${record.extends}, which no earlier scope holds`);
  return record.mergeStrategy === 'replace' ? record.payload : (mergePatch(effectivePayload(parent, all), record.payload) as JsonObject);
}

/** What a resolved load of `tenantId` by `actor` serves: per name, the latest non-archived scope the actor sees, resolved. */
function expectedLoad(
  all: readonly MetadataRecord[],
  tenantId: string,
  actor: string,
): Map<string, { scope: MetadataScope; payload: JsonObject }> {
  const winners = new Map<string, MetadataRecord>();
  for (const record of all) {
    if (record.tenantId !== tenantId || record.state === 'archived') continue;
    if (record.scope === 'user' && record.owner !== actor) continue;
    const current = winners.get(itemKey(record));
    if (!current || RANK[record.scope] > RANK[current.scope]) winners.set(itemKey(record), record);
  }
  return new Map([...winners].map(([key, record]) => [key, { scope: record.scope, payload: effectivePayload(record, all) }]));
}

// ---------------------------------------------------------------------------
// The set, read once
// ---------------------------------------------------------------------------

const tree = walk(SAMPLE_ROOT);
const read = tree.files.map((path) => ({ path, ...readRecordFile(path, readFileSync(join(SAMPLE_ROOT, path))) }));
const records = read.flatMap((file) => (file.record ? [file.record] : []));
const inputs = read.flatMap((file) => (file.input ? [file.input] : []));

/** The importing operator: writes both tenants, system items (R39) and every owner's user items (R40). */
const OPERATOR: MetadataCallContextInput = {
  actor: 'deploy-bot',
  role: 'operator',
  readTenants: ['acme', 'globex'],
  writeTenants: ['acme', 'globex'],
  administersUsers: true,
};
const TENANTS = ['acme', 'globex'];
/** A runtime caller who owns no user items: sees the system and platform items only. */
const SERVICE = 'reporting-service';
const owners = (tenantId: string) => [...new Set(records.filter((r) => r.tenantId === tenantId && r.owner).map((r) => r.owner!))].sort();

/** Every page of a resolved load of one tenant, as `actor`. */
async function loadAll(store: MemoryStore, tenantId: string, actor: string): Promise<MetadataRecord[]> {
  const context: MetadataCallContextInput = { actor, readTenants: [tenantId] };
  const loaded: MetadataRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.load(context, {
      filters: { tenantId },
      resolveInheritance: true,
      pagination: { pageSize: 1000, ...(cursor !== undefined ? { cursor } : {}) },
    });
    loaded.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return loaded;
}

describe('the sample metadata set: files and layout', () => {
  it('holds only .json files, at the depth METADATA_FILE_LAYOUT gives, with no hidden entries', () => {
    expect(tree.files.length).toBeGreaterThan(0);
    expect(tree.files.flatMap((path) => keyFromPath(path).problems)).toEqual([]);
    // Every directory leads to at least one file: nothing empty is left behind by an edit.
    expect(tree.dirs.filter((dir) => !tree.files.some((file) => file.startsWith(`${dir}/`)))).toEqual([]);
  });

  it('every file is UTF-8 JSON whose given key fields equal its path, and with the key filled in parses as a MetadataRecord', () => {
    expect(read.flatMap((file) => file.problems)).toEqual([]);
    expect(records).toHaveLength(tree.files.length);
  });

  it('system files leave the key to the path; platform and user files spell out all of it', () => {
    for (const file of read) {
      const scope = keyFromPath(file.path).key?.scope;
      const expected = scope === 'system' ? [] : scope === 'user' ? [...KEY_FIELDS] : KEY_FIELDS.filter((f) => f !== 'owner');
      expect({ path: file.path, given: file.givenKeyFields }).toEqual({ path: file.path, given: expected });
    }
  });

  it('every file, its key filled in, is accepted by the emitted JSON Schema of MetadataRecord (input variant)', () => {
    const { $id } = JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, 'input', 'metadata-record.json'), 'utf8')) as { $id: string };
    const validate = ajvForVariant('input').ajv.getSchema($id)!;
    const rejected = read.filter((file) => !validate(file.input)).map((file) => ({ path: file.path, errors: validate.errors }));
    expect(rejected).toEqual([]);
  });

  it('the reader refuses what a file loader refuses: a key that disagrees with the path, a wrong depth, a bad segment, a non-object', () => {
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const payload = { label: 'Account' };
    expect(readRecordFile('acme/system/object/crm/account.json', bytes({ scope: 'platform', payload })).problems).toEqual([
      'acme/system/object/crm/account.json: scope is "platform" but the path says "system"',
    ]);
    expect(readRecordFile('acme/system/object/account.json', bytes({ payload })).problems).toEqual([
      'acme/system/object/account.json: a system item is 5 segments deep, not 4',
    ]);
    expect(readRecordFile('acme/platform/object/crm/Account.json', bytes({ payload })).problems).toEqual([
      expect.stringMatching(/^acme\/platform\/object\/crm\/Account\.json: name "Account" must be a snake_case machine name/),
    ]);
    expect(readRecordFile('acme/shared/object/crm/account.json', bytes({ payload })).problems).toEqual([
      'acme/shared/object/crm/account.json: "shared" is not a scope (system, platform, user)',
    ]);
    expect(readRecordFile('acme/platform/object/crm/account.yaml', bytes({ payload })).problems).toEqual([
      'acme/platform/object/crm/account.yaml: the file name does not end in .json',
    ]);
    expect(readRecordFile('acme/platform/object/crm/account.json', bytes([payload])).problems).toEqual([
      'acme/platform/object/crm/account.json: the file holds no JSON object',
    ]);
    expect(readRecordFile('acme/system/view/crm/mine.json', bytes({ extends: 'all', payload })).problems).toEqual([
      'acme/system/view/crm/mine.json: extends: a system-scope item cannot extend another item; no scope comes before system',
    ]);
    expect(readRecordFile('acme/platform/object/crm/account.json', new Uint8Array([0x7b, 0xff, 0x7d])).problems).toEqual([
      expect.stringMatching(/^acme\/platform\/object\/crm\/account\.json: not UTF-8 JSON/),
    ]);
  });
});

describe('the sample metadata set: contents', () => {
  it('has at least 200 records, both tenants, every scope in each, and the main metadata types', () => {
    expect(records.length).toBeGreaterThanOrEqual(200);
    for (const tenantId of TENANTS) {
      const scopes = new Set(records.filter((r) => r.tenantId === tenantId).map((r) => r.scope));
      expect([tenantId, [...scopes].sort()]).toEqual([tenantId, ['platform', 'system', 'user']]);
      const types = new Set(records.filter((r) => r.tenantId === tenantId).map((r) => r.type));
      for (const type of ['object', 'view', 'layout', 'flow', 'permission_set', 'value_set']) expect(types).toContain(type);
      expect(owners(tenantId).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('every user item extends an earlier scope; some merge, some replace; platform items extend system items', () => {
    const user = records.filter((r) => r.scope === 'user');
    expect(user.filter((r) => r.extends === undefined)).toEqual([]);
    expect(user.filter((r) => r.mergeStrategy === 'merge').length).toBeGreaterThanOrEqual(8);
    expect(records.filter((r) => r.extends !== undefined && r.mergeStrategy === 'replace').length).toBeGreaterThanOrEqual(2);
    // Both kinds of user parent: a platform item, and a system item no platform item overrides.
    const parentScopes = new Set(user.map((r) => parentOf(r, records)?.scope));
    expect([...parentScopes].sort()).toEqual(['platform', 'system']);
    expect(records.filter((r) => r.scope === 'platform' && r.extends !== undefined).length).toBeGreaterThanOrEqual(8);
  });

  it('every extends names a non-archived item of the same tenant, type and namespace in an earlier scope', () => {
    const dangling = records.filter((r) => r.extends !== undefined && !parentOf(r, records)).map(fullKey);
    expect(dangling).toEqual([]);
    expect(records.filter((r) => r.extends !== undefined).length).toBeGreaterThanOrEqual(20);
  });

  it('holds drafts, deprecated and archived items, and the edge values the README lists', () => {
    const states = records.map((r) => r.state);
    for (const state of ['active', 'draft', 'deprecated', 'archived'] as const) expect(states).toContain(state);
    const text = tree.files.map((path) => readFileSync(join(SAMPLE_ROOT, path), 'utf8')).join('\n');
    for (const edge of [
      'Société',
      'Kraków',
      'Zürich',
      '日本語',
      '🎉',
      '🚀',
      'Accounts \\"At Risk\\"',
      '"decimalPlaces": 3',
      '"decimalPlaces": 0',
      '"scale": 4',
    ]) {
      expect(text).toContain(edge);
    }
  });

  it("the README's generated section (counts, items served, every extends) is the one the files give", () => {
    const readme = readFileSync(SAMPLE_README, 'utf8');
    expect(readme).toContain(GENERATED_START);
    const section = readme.slice(readme.indexOf(GENERATED_START) + GENERATED_START.length, readme.indexOf(GENERATED_END)).trim();
    expect(section).toBe(readmeSection(records));
    expect(section).not.toContain('**missing**');
  });

  it('the committed files are exactly what scripts/generate-sample-metadata.ts writes', async () => {
    const files = await sampleFiles();
    expect(tree.files).toEqual([...files.keys()].sort());
    const stale = tree.files.filter((path) => readFileSync(join(SAMPLE_ROOT, path), 'utf8') !== files.get(path));
    expect(stale).toEqual([]);
  });
});

describe('the sample metadata set in the memory store', () => {
  let store: MemoryStore;

  beforeAll(async () => {
    store = await createMemoryStore();
    const result = await store.import(OPERATOR, inputs);
    expect(result.committed).toBe(true);
    expect(result.items.filter((item) => item.status !== 'created')).toEqual([]);
    expect(result.items).toHaveLength(records.length);
  });

  it.each(TENANTS)('%s: a load without user items serves every system and platform name, resolved as R38 says', async (tenantId) => {
    const expected = expectedLoad(records, tenantId, SERVICE);
    const loaded = await loadAll(store, tenantId, SERVICE);
    expect(loaded.map((r) => r.scope)).not.toContain('user');
    expect(loaded).toHaveLength(expected.size);
    expect(loaded).toHaveLength(servedCount(records, tenantId, undefined));
    expect(new Map(loaded.map((r) => [itemKey(r), { scope: r.scope, payload: r.payload }]))).toEqual(expected);
  });

  it.each(TENANTS)('%s: each owner sees their own customisations over the shared items, resolved as R38 says', async (tenantId) => {
    const shared = expectedLoad(records, tenantId, SERVICE);
    for (const owner of owners(tenantId)) {
      const expected = expectedLoad(records, tenantId, owner);
      const loaded = await loadAll(store, tenantId, owner);
      const own = loaded.filter((r) => r.scope === 'user');
      expect(own.map((r) => r.owner)).toEqual(own.map(() => owner));
      expect(own.length).toBe(records.filter((r) => r.owner === owner).length);
      // A user item either overrides a shared name or adds one.
      expect(loaded.length).toBe(shared.size + own.filter((r) => !shared.has(itemKey(r))).length);
      expect(loaded.length).toBe(servedCount(records, tenantId, owner));
      expect(new Map(loaded.map((r) => [itemKey(r), { scope: r.scope, payload: r.payload }]))).toEqual(expected);
    }
  });

  it('resolves the documented examples: three-level merge, null removing keys, replace, a user item over a system item', async () => {
    const byName = (list: MetadataRecord[], type: string, name: string) => list.find((r) => r.type === type && r.name === name)!;

    const jane = await loadAll(store, 'acme', 'jane@acme');
    // user -> platform -> system: jane's columns and sort, the platform's description, the system's label and visibility.
    expect(byName(jane, 'view', 'all_accounts').payload).toMatchObject({
      object: 'crm.account',
      label: 'All Accounts',
      description: 'Every account the user can see.',
      columns: ['name', 'customer_tier', 'region', 'arr', 'health_score', 'renewal_date', 'owner'],
      sort: [{ field: 'arr', direction: 'desc' }],
      pageSize: 100,
      visibility: 'everyone',
    });
    const account = byName(jane, 'object', 'account').payload as { fields: Record<string, JsonObject> };
    expect(account.fields).not.toHaveProperty('legacy_code');
    expect(account.fields.industry).toEqual({ type: 'picklist', label: 'Industry', valueSet: 'crm.industry' });
    expect(account.fields.name).toEqual({ type: 'text', label: 'Account Name', maxLength: 255, required: true });

    const raj = await loadAll(store, 'acme', 'raj.patel@acme');
    const rajLayout = records.find((r) => r.owner === 'raj.patel@acme' && r.type === 'layout')!;
    expect(byName(raj, 'layout', 'case_default').payload).toEqual(rajLayout.payload);
    // A user item whose parent is a system item: acme has no platform item of that name.
    expect(byName(raj, 'view', 'recently_viewed_cases').payload).toMatchObject({
      label: 'Recently Viewed Cases',
      pageSize: 50,
      visibility: 'owner',
    });

    const globex = await loadAll(store, 'globex', SERVICE);
    const globexAccount = byName(globex, 'object', 'account').payload as { fields: Record<string, JsonObject> };
    expect(globexAccount.fields.legacy_code).toEqual({ type: 'text', label: 'SAP Customer Number', maxLength: 10, pattern: '^[0-9]{10}$' });
    expect((byName(globex, 'object', 'contact').payload as { fields: JsonObject }).fields).not.toHaveProperty('do_not_call');
    expect(byName(globex, 'flow', 'case_auto_assignment').payload).not.toHaveProperty('settings');
    // The archived permission set is not served.
    expect(globex.find((r) => r.name === 'temporary_auditor')).toBeUndefined();
  });

  it('without a parent the same load fails with inconsistent_inheritance, so the loads above could fail', async () => {
    const withoutParent = await createMemoryStore();
    const missing = inputs.filter(
      (r) => !(r.tenantId === 'acme' && r.scope === 'system' && r.type === 'view' && r.name === 'all_accounts'),
    );
    expect(missing).toHaveLength(inputs.length - 1);
    await withoutParent.import(OPERATOR, missing);
    await expect(loadAll(withoutParent, 'acme', SERVICE)).rejects.toMatchObject({
      error: { code: 'inconsistent_inheritance', extends: 'all_accounts' },
    });
    // globex does not depend on acme's items.
    await expect(loadAll(withoutParent, 'globex', SERVICE)).resolves.toHaveLength(expectedLoad(records, 'globex', SERVICE).size);
  });
});
