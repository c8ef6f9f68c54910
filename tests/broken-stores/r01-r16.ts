/**
 * Broken stores for requirements R1 to R16: each wraps a working store and
 * breaks one behaviour that a black-box audit can observe, the way a real
 * implementation might get it wrong.
 */
import { createHash } from 'node:crypto';
import type {
  JsonObject,
  JsonValue,
  MetadataCallContextInput,
  MetadataLoadOptionsInput,
  MetadataMigrationOperationInput,
  MetadataQueryConditionInput,
  MetadataQueryOptionsInput,
  MetadataQueryResult,
  MetadataRecord,
  MetadataRecordKeyInput,
  MetadataRecordWriteInput,
  MetadataStore,
} from '@metasource/spec';
import canonicalize from 'canonicalize';
import { breakStore, type BrokenStore } from './delegate';

/** A broken store and the audit that must catch it. */
export interface CaughtBrokenStore extends BrokenStore {
  /** Id of the audit that fails on it, e.g. `R6.1`. */
  caughtBy: string;
}

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

/** The value at a condition's field: a record field, or an RFC 6901 pointer into the payload. */
function fieldValue(record: MetadataRecord, field: string): JsonValue | undefined {
  if (!field.startsWith('payload/')) return (record as unknown as Record<string, JsonValue | undefined>)[field];
  let value: JsonValue | undefined = record.payload;
  for (const raw of field.slice('payload/'.length).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) value = /^(0|[1-9][0-9]*)$/.test(segment) ? value[Number(segment)] : undefined;
    else if (value !== null && typeof value === 'object') value = Object.hasOwn(value, segment) ? value[segment] : undefined;
    else return undefined;
  }
  return value;
}

/** The values at a payload path when arrays are searched implicitly (MongoDB's default): every element a segment reaches. */
function implicitValues(record: MetadataRecord, field: string): JsonValue[] {
  let values: JsonValue[] = [record.payload];
  for (const raw of field.slice('payload/'.length).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    values = values.flatMap((value): JsonValue[] => {
      if (Array.isArray(value)) {
        if (/^(0|[1-9][0-9]*)$/.test(segment)) return value[Number(segment)] === undefined ? [] : [value[Number(segment)]!];
        return value.flatMap((element) =>
          element !== null && typeof element === 'object' && !Array.isArray(element) && Object.hasOwn(element, segment)
            ? [element[segment]!]
            : [],
        );
      }
      if (value !== null && typeof value === 'object' && Object.hasOwn(value, segment)) return [value[segment]!];
      return [];
    });
  }
  return values;
}

/**
 * A query in which the conditions `takeOver` picks follow `matches` instead
 * of the protocol's rule: the other filters run in the working store, page by
 * page, and the picked conditions filter the result here. One page, no cursor.
 */
async function queryWithOwnRule(
  inner: MetadataStore,
  context: MetadataCallContextInput,
  options: MetadataQueryOptionsInput | undefined,
  takeOver: (condition: MetadataQueryConditionInput) => boolean,
  matches: (value: JsonValue | undefined, condition: MetadataQueryConditionInput) => boolean,
): Promise<MetadataQueryResult> {
  const conditions = options?.filters?.conditions ?? [];
  const mine = conditions.filter(takeOver);
  if (mine.length === 0) return inner.query(context, options);
  const records: MetadataRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await inner.query(context, {
      ...options,
      filters: { ...options?.filters, conditions: conditions.filter((c) => !takeOver(c)) },
      pagination: { pageSize: 1000, ...(cursor === undefined ? {} : { cursor }) },
    });
    records.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { records: records.filter((record) => mine.every((c) => matches(fieldValue(record, c.field), c))) };
}

/** A LIKE pattern, the way a store that forgets to escape `%` and `_` reads the value. */
function likePattern(value: string, operator: 'contains' | 'starts_with'): RegExp {
  const body = [...value].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(operator === 'contains' ? body : `^${body}`, 'su');
}

/** JSON Merge Patch (RFC 7396), for the store that re-creates items on update. */
function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: JsonObject = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function keyOfWrite(write: MetadataRecordWriteInput): MetadataRecordKeyInput {
  return {
    tenantId: write.tenantId,
    type: write.type,
    namespace: write.namespace ?? 'default',
    scope: write.scope ?? 'platform',
    ...(write.owner === undefined ? {} : { owner: write.owner }),
    name: write.name,
  };
}

/** A record whose checksum is the SHA-256 of JSON.stringify(payload): key order as stored, not RFC 8785. */
function withStringifyChecksum(record: MetadataRecord): MetadataRecord {
  return { ...record, checksum: sha256(JSON.stringify(record.payload)) };
}

const KNOWN_QUERY_KEYS = ['filters', 'sort', 'pagination', 'includeArchived', 'includeTotal'];
const KNOWN_LOAD_KEYS = [...KNOWN_QUERY_KEYS, 'useCache', 'ifNoneMatch', 'resolveInheritance'];
const KNOWN_FILTER_KEYS = [
  'type',
  'name',
  'namespace',
  'scope',
  'state',
  'owner',
  'tenantId',
  'tags',
  'updatedAfter',
  'updatedBefore',
  'conditions',
];
const KNOWN_WRITE_KEYS = [
  'type',
  'name',
  'namespace',
  'scope',
  'owner',
  'tenantId',
  'payload',
  'state',
  'tags',
  'extends',
  'mergeStrategy',
  'expectedVersion',
];
const KNOWN_SAVE_KEYS = ['transaction', 'onConflict', 'expectedVersion', 'dryRun', 'recordHistory', 'actor'];

function pick<T extends object>(value: T | undefined, keys: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([key]) => keys.includes(key))) as T;
}

function withKnownFilters<T extends { filters?: unknown }>(options: T | undefined, keys: readonly string[]): T | undefined {
  const known = pick(options, keys);
  if (!known || known.filters === undefined) return known;
  return { ...known, filters: pick(known.filters as object, KNOWN_FILTER_KEYS) };
}

function clampPageSize<T extends { pagination?: { pageSize?: number; cursor?: string } }>(options: T | undefined): T | undefined {
  const size = options?.pagination?.pageSize;
  if (!options || size === undefined) return options;
  return { ...options, pagination: { ...options.pagination, pageSize: Math.min(1000, Math.max(1, size)) } };
}

export const brokenStoresR01toR16: CaughtBrokenStore[] = [
  {
    name: 'accepts-invalid-input',
    requirement: 'R1',
    breaks: 'clamps a pageSize outside 1 to 1000 into range instead of rejecting the query or load',
    caughtBy: 'R1.2',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) => store.query(context, clampPageSize(options)),
        load: (store, context, options) => store.load(context, clampPageSize(options)),
      }),
  },
  {
    name: 'drops-unknown-keys',
    requirement: 'R1',
    breaks: 'silently drops unknown keys of query and load options, filters, writes and save options',
    caughtBy: 'R1.3',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) => store.query(context, withKnownFilters(options, KNOWN_QUERY_KEYS)),
        load: (store, context, options) => store.load(context, withKnownFilters(options, KNOWN_LOAD_KEYS) as MetadataLoadOptionsInput),
        save: (store, context, write, options) => store.save(context, pick(write, KNOWN_WRITE_KEYS)!, pick(options, KNOWN_SAVE_KEYS)),
      }),
  },
  {
    name: 'like-wildcards',
    requirement: 'R6',
    breaks: 'passes contains and starts_with values to LIKE unescaped, so % and _ act as wildcards',
    caughtBy: 'R6.1',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) =>
          queryWithOwnRule(
            store,
            context,
            options,
            (c) => c.operator === 'contains' || c.operator === 'starts_with',
            (value, c) => typeof value === 'string' && likePattern(String(c.value), c.operator as 'contains' | 'starts_with').test(value),
          ),
      }),
  },
  {
    name: 'utf16-order',
    requirement: 'R7',
    breaks: "compares strings with JavaScript's < and >, by UTF-16 code unit instead of code point",
    caughtBy: 'R7.1',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) =>
          queryWithOwnRule(
            store,
            context,
            options,
            (c) => ['gt', 'gte', 'lt', 'lte'].includes(c.operator) && typeof c.value === 'string',
            (value, c) => {
              if (typeof value !== 'string') return false;
              const other = c.value as string;
              if (c.operator === 'gt') return value > other;
              if (c.operator === 'gte') return value >= other;
              if (c.operator === 'lt') return value < other;
              return value <= other;
            },
          ),
      }),
  },
  {
    name: 'mixes-json-types',
    requirement: 'R7',
    breaks: 'compares eq and ne values loosely, as their text, so "1" equals 1 and an absent field equals null',
    caughtBy: 'R7.2',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) =>
          queryWithOwnRule(
            store,
            context,
            options,
            (c) => (c.operator === 'eq' || c.operator === 'ne') && (c.value === null || typeof c.value !== 'object'),
            // Loose equality is the bug this store exists to show.
            (value, c) =>
              (value == c.value || (value !== undefined && value !== null && String(value) === String(c.value))) === (c.operator === 'eq'),
          ),
      }),
  },
  {
    name: 'implicit-array-traversal',
    requirement: 'R7',
    breaks: 'searches arrays implicitly on payload paths, as MongoDB does by default, so payload/columns/name matches any element',
    caughtBy: 'R7.5',
    wrap: (inner) =>
      breakStore(inner, {
        query: async (store, context, options) => {
          const picked = (c: MetadataQueryConditionInput) => c.field.startsWith('payload/') && c.operator === 'eq';
          const result = await queryWithOwnRule(store, context, options, picked, () => true);
          const mine = (options?.filters?.conditions ?? []).filter(picked);
          const records = result.records.filter((record) =>
            mine.every((c) => implicitValues(record, c.field).some((value) => canonicalize(value) === canonicalize(c.value))),
          );
          return { records };
        },
      }),
  },
  {
    name: 'text-instants',
    requirement: 'R7',
    breaks: 'compares createdAt and updatedAt conditions as text, so the same instant written with another offset does not match',
    caughtBy: 'R7.6',
    wrap: (inner) =>
      breakStore(inner, {
        query: (store, context, options) =>
          queryWithOwnRule(
            store,
            context,
            options,
            (c) => c.field === 'createdAt' || c.field === 'updatedAt',
            (value, c) => {
              const values = Array.isArray(c.value) ? c.value : [c.value];
              if (typeof value !== 'string') return false;
              switch (c.operator) {
                case 'eq':
                case 'in':
                  return values.includes(value);
                case 'ne':
                case 'not_in':
                  return !values.includes(value);
                case 'gt':
                  return value > String(c.value);
                case 'gte':
                  return value >= String(c.value);
                case 'lt':
                  return value < String(c.value);
                case 'lte':
                  return value <= String(c.value);
                default:
                  return false;
              }
            },
          ),
      }),
  },
  {
    name: 'partial-bulk',
    requirement: 'R8',
    breaks: 'runs a transactional bulk operation batch by batch, so the batches before a failure stay written',
    caughtBy: 'R8.1',
    wrap: (inner) =>
      breakStore(inner, {
        bulk: (store, context, operation) =>
          operation.transactional === false
            ? store.bulk(context, operation)
            : store.bulk(context, { ...operation, transactional: false, continueOnError: false }),
      }),
  },
  {
    name: 'dry-run-writes',
    requirement: 'R8',
    breaks: 'runs a dry-run bulk operation for real and only reports it as a dry run',
    caughtBy: 'R8.4',
    wrap: (inner) =>
      breakStore(inner, {
        bulk: async (store, context, operation) => {
          if (operation.dryRun !== true) return store.bulk(context, operation);
          const result = await store.bulk(context, { ...operation, dryRun: false });
          return { ...result, dryRun: true, committed: false };
        },
      }),
  },
  {
    name: 'runtime-may-migrate',
    requirement: 'R9',
    breaks: 'lets a runtime caller apply a migration, as if it were an operator',
    caughtBy: 'R9.1',
    wrap: (inner) =>
      breakStore(inner, {
        migrate: (store, context, options) => store.migrate({ ...context, role: 'operator' }, options),
      }),
  },
  {
    name: 'foreign-dialect-script',
    requirement: 'R11',
    breaks: 'plans explicit migration steps without checking their script dialect',
    caughtBy: 'R11.2',
    wrap: (inner) =>
      breakStore(inner, {
        migrate: async (store, context, options) => {
          const steps = (options?.steps ?? []) as MetadataMigrationOperationInput[];
          if (steps.length === 0) return store.migrate(context, options);
          return {
            steps: steps.map((operation) => ({
              operation: operation as never,
              statements: operation.script ? [operation.script.sql] : [],
              losesData: false,
              reversible: true,
              transactional: true,
            })),
            atomic: true,
            applied: false,
          };
        },
      }),
  },
  {
    name: 'no-version-bump',
    requirement: 'R12',
    breaks: 'saves a change to a stored item by deleting it and creating it again, so its version stays 1 and its id changes',
    caughtBy: 'R12.1',
    wrap: (inner) =>
      breakStore(inner, {
        save: async (store, context, write, options) => {
          const onConflict = options?.onConflict ?? 'update';
          const plain = (onConflict === 'update' || onConflict === 'replace') && !options?.dryRun && options?.expectedVersion === undefined;
          const key = keyOfWrite(write);
          const stored = plain && key.tenantId !== undefined ? await store.get(context, key, { useCache: false }) : null;
          if (!stored) return store.save(context, write, options);
          await store.delete(context, key);
          const { expectedVersion: _ignored, ...rest } = write;
          return store.save(
            context,
            {
              ...rest,
              payload: onConflict === 'replace' ? write.payload : (mergePatch(stored.payload, write.payload as JsonObject) as JsonObject),
              state: write.state ?? stored.state,
              tags: write.tags ?? stored.tags,
              mergeStrategy: write.mergeStrategy ?? stored.mergeStrategy,
              ...(write.extends === undefined && stored.extends !== undefined ? { extends: stored.extends } : {}),
            },
            options?.actor === undefined ? {} : { actor: options.actor },
          );
        },
      }),
  },
  {
    name: 'non-canonical-checksum',
    requirement: 'R13',
    breaks: 'computes checksums over JSON.stringify(payload) (keys in stored order) instead of its RFC 8785 form',
    caughtBy: 'R13.1',
    wrap: (inner) =>
      breakStore(inner, {
        save: async (store, context, write, options) => {
          const result = await store.save(context, write, options);
          const stored = write.tenantId === undefined ? null : await store.get(context, keyOfWrite(write), { useCache: false });
          return stored ? { ...result, checksum: withStringifyChecksum(stored).checksum! } : result;
        },
        get: async (store, context, key, options) => {
          const record = await store.get(context, key, options);
          return record && withStringifyChecksum(record);
        },
        query: async (store, context, options) => {
          const result = await store.query(context, options);
          return { ...result, records: result.records.map(withStringifyChecksum) };
        },
        load: async (store, context, options) => {
          const result = await store.load(context, options);
          return { ...result, records: result.records.map(withStringifyChecksum) };
        },
      }),
  },
  {
    name: 'stored-checksum-when-resolved',
    requirement: 'R13',
    breaks: "serves an item resolved through extends with its stored payload's checksum instead of its effective payload's",
    caughtBy: 'R13.3',
    wrap: (inner) =>
      breakStore(inner, {
        load: async (store, context, options) => {
          const result = await store.load(context, options);
          const records: MetadataRecord[] = [];
          for (const record of result.records) {
            const key = {
              tenantId: record.tenantId,
              type: record.type,
              namespace: record.namespace,
              scope: record.scope,
              owner: record.owner,
              name: record.name,
            };
            const stored = await store.get(context, key, { useCache: false });
            records.push(stored?.checksum === undefined ? record : { ...record, checksum: stored.checksum });
          }
          return { ...result, records };
        },
      }),
  },
  {
    name: 'wrong-not-modified',
    requirement: 'R16',
    breaks: 'answers notModified to any load that carries ifNoneMatch, whatever the checksum',
    caughtBy: 'R16.2',
    wrap: (inner) =>
      breakStore(inner, {
        load: async (store, context, options) => {
          if (options?.ifNoneMatch === undefined) return store.load(context, options);
          return { records: [], notModified: true, fromCache: false, checksum: options.ifNoneMatch, loadedAt: new Date().toISOString() };
        },
      }),
  },
  {
    name: 'checksum-with-ids',
    requirement: 'R16',
    breaks: 'computes the page checksum over whole records, ids, versions and audit fields included',
    caughtBy: 'R16.1',
    wrap: (inner) =>
      breakStore(inner, {
        load: async (store, context, options) => {
          const { ifNoneMatch, ...rest } = options ?? {};
          const result = await store.load(context, rest);
          const checksum = sha256(canonicalize(result.records) ?? '');
          if (ifNoneMatch === checksum) {
            const { nextCursor: _dropped, ...unchanged } = result;
            return { ...unchanged, records: [], notModified: true, checksum };
          }
          return { ...result, checksum };
        },
      }),
  },
];
