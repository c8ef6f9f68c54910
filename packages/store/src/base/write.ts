/**
 * What a write does to one item (R12, R13, R28 to R30), decided from the
 * stored record alone, with no I/O: every store computes the same outcome and
 * only the way it commits differs. A plan is a new record (created, updated,
 * replaced), a removal, no change (skipped, unchanged), or a failure with its
 * MetadataOperationError; a failure never changes anything (R29), and nothing
 * here retries or turns one failure into another write (R30).
 */
import type {
  MetadataBulkOperation,
  MetadataChangeOperation,
  MetadataConflictStrategy,
  MetadataOperationError,
  MetadataRecord,
  MetadataRecordWrite,
  MetadataStoreError,
} from '@metasource/spec';
import { payloadChecksum } from './checksum';
import { mergePatchObject } from './merge-patch';
import { describeKey, keyOf, orderRecord, sameContent, type KeyFields, type StoredRecord } from './record';

/** Who writes and when: the audit fields of this write. */
export interface WriteStamp {
  /** UTC, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  at: string;
  actor: string;
}

export type WritePlan =
  | { status: 'created'; after: StoredRecord }
  | {
      status: 'updated' | 'replaced';
      operation: Exclude<MetadataChangeOperation, 'create' | 'delete'>;
      before: StoredRecord;
      after: StoredRecord;
    }
  | { status: 'deleted'; before: StoredRecord }
  | { status: 'skipped' | 'unchanged'; before: StoredRecord }
  | { status: 'failed'; error: MetadataOperationError; before?: StoredRecord };

/** A write with its tenant resolved. */
export type ResolvedWrite = MetadataRecordWrite & { tenantId: string };

/** One change of a bulk update. */
export type RecordChange = Extract<MetadataBulkOperation, { operation: 'update' }>['changes'][number];

function versionConflict(stored: StoredRecord, expectedVersion: number): WritePlan {
  return {
    status: 'failed',
    before: stored,
    error: {
      code: 'version_conflict',
      message: `stored version is ${stored.version}, the write was based on version ${expectedVersion}`,
      expectedVersion,
      actualVersion: stored.version,
    },
  };
}

function notFound(what: string, expectedVersion: number | undefined): WritePlan {
  return {
    status: 'failed',
    error: { code: 'not_found', message: `no item ${what}`, ...(expectedVersion !== undefined ? { expectedVersion } : {}) },
  };
}

function alreadyExists(stored: StoredRecord): WritePlan {
  return {
    status: 'failed',
    before: stored,
    error: {
      code: 'already_exists',
      message: `${describeKey(stored)} already exists (version ${stored.version})`,
      existingId: stored.id,
      actualVersion: stored.version,
    },
  };
}

/** A new record: version given (1 unless an import preserves versions), checksum of the payload, audit fields stamped. */
function newRecord(
  fields: Omit<MetadataRecord, 'checksum' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'>,
  id: string,
  stamp: WriteStamp,
): StoredRecord {
  return orderRecord({
    ...fields,
    id,
    checksum: payloadChecksum(fields.payload),
    createdAt: stamp.at,
    createdBy: stamp.actor,
    updatedAt: stamp.at,
    updatedBy: stamp.actor,
  }) as StoredRecord;
}

/** The content fields of a record: what a write changes and what decides whether it changes anything. */
type RecordContent = Pick<MetadataRecord, 'payload' | 'state' | 'tags' | 'extends' | 'mergeStrategy'>;

/**
 * The stored record with new content: unchanged when the content is the
 * same (nothing to write), else the next version with the new checksum and
 * updatedAt/updatedBy.
 */
function changed(
  stored: StoredRecord,
  content: RecordContent,
  stamp: WriteStamp,
  status: 'updated' | 'replaced',
  operation: Exclude<MetadataChangeOperation, 'create' | 'delete'>,
): WritePlan {
  const candidate: StoredRecord = { ...stored, ...content };
  if (sameContent(candidate, stored)) return { status: 'unchanged', before: stored };
  const after = orderRecord({
    ...candidate,
    version: stored.version + 1,
    checksum: payloadChecksum(candidate.payload),
    updatedAt: stamp.at,
    updatedBy: stamp.actor,
  });
  return { status, operation, before: stored, after };
}

/**
 * A write to a key already stored, by onConflict: error -> already_exists;
 * skip -> skipped; update -> `content` with its payload applied to the stored
 * payload as a JSON merge patch; replace -> `content` as given.
 */
function writeOverStored(stored: StoredRecord, onConflict: MetadataConflictStrategy, content: RecordContent, stamp: WriteStamp): WritePlan {
  switch (onConflict) {
    case 'error':
      return alreadyExists(stored);
    case 'skip':
      return { status: 'skipped', before: stored };
    case 'update':
    case 'replace':
      return changed(
        stored,
        { ...content, payload: onConflict === 'update' ? mergePatchObject(stored.payload, content.payload) : content.payload },
        stamp,
        onConflict === 'update' ? 'updated' : 'replaced',
        'update',
      );
  }
}

/** `extends` after a write: absent keeps the stored parent, null removes it, a name sets it. */
function nextExtends(stored: string | undefined, given: string | null | undefined): string | undefined {
  if (given === undefined) return stored;
  return given ?? undefined;
}

export interface WriteMode {
  onConflict: MetadataConflictStrategy;
  expectedVersion?: number | undefined;
}

/**
 * A save, a bulk create (onConflict error) or a bulk upsert (onConflict
 * replace, the item's expectedVersion) of one MetadataRecordWrite:
 *
 * - not stored: not_found when an expectedVersion was given, else created
 *   (absent content fields take the record defaults), whatever onConflict;
 * - stored, expectedVersion given and different: version_conflict;
 * - stored: error -> already_exists; skip -> skipped; update -> payload
 *   merged (RFC 7396); replace -> payload replaced; given envelope fields
 *   replace the stored ones, absent ones are kept; a result with the stored
 *   content -> unchanged.
 */
export function planWrite(
  stored: StoredRecord | undefined,
  write: ResolvedWrite,
  mode: WriteMode,
  stamp: WriteStamp,
  newId: () => string,
): WritePlan {
  if (!stored) {
    if (mode.expectedVersion !== undefined) return notFound(describeKey(write), mode.expectedVersion);
    return {
      status: 'created',
      after: newRecord(
        {
          type: write.type,
          name: write.name,
          namespace: write.namespace,
          scope: write.scope,
          state: write.state ?? 'active',
          payload: write.payload,
          extends: write.extends ?? undefined,
          mergeStrategy: write.mergeStrategy ?? 'merge',
          owner: write.owner,
          tenantId: write.tenantId,
          version: 1,
          tags: write.tags ?? [],
        },
        newId(),
        stamp,
      ),
    };
  }
  if (mode.expectedVersion !== undefined && mode.expectedVersion !== stored.version) return versionConflict(stored, mode.expectedVersion);
  return writeOverStored(
    stored,
    mode.onConflict,
    {
      payload: write.payload,
      state: write.state ?? stored.state,
      tags: write.tags ?? stored.tags,
      extends: nextExtends(stored.extends, write.extends),
      mergeStrategy: write.mergeStrategy ?? stored.mergeStrategy,
    },
    stamp,
  );
}

/**
 * One change of a bulk update, by id: not stored -> not_found; another
 * version -> version_conflict; else the `set` fields replace the stored ones
 * (payload whole, extends null removing the parent). A system item cannot
 * be given a parent (system_scope_cannot_extend) -> invalid at set.extends.
 */
export function planChange(stored: StoredRecord | undefined, change: RecordChange, stamp: WriteStamp): WritePlan {
  if (!stored) return notFound(change.id, change.expectedVersion);
  if (stored.version !== change.expectedVersion) return versionConflict(stored, change.expectedVersion);
  const { set } = change;
  const extendsAfter = nextExtends(stored.extends, set.extends);
  if (stored.scope === 'system' && extendsAfter !== undefined) {
    return {
      status: 'failed',
      before: stored,
      error: {
        code: 'invalid',
        message: 'a system-scope item cannot extend another item; no scope comes before system (system_scope_cannot_extend)',
        path: ['set', 'extends'],
      },
    };
  }
  return changed(
    stored,
    {
      payload: set.payload ?? stored.payload,
      state: set.state ?? stored.state,
      tags: set.tags ?? stored.tags,
      extends: extendsAfter,
      mergeStrategy: set.mergeStrategy ?? stored.mergeStrategy,
    },
    stamp,
    'updated',
    'update',
  );
}

/** A deletion, by key or id: not stored -> not_found; another version than a given expectedVersion -> version_conflict. */
export function planDelete(stored: StoredRecord | undefined, what: string, expectedVersion: number | undefined): WritePlan {
  if (!stored) return notFound(what, expectedVersion);
  if (expectedVersion !== undefined && stored.version !== expectedVersion) return versionConflict(stored, expectedVersion);
  return { status: 'deleted', before: stored };
}

/**
 * Archive (state archived, change event archive) or restore (state active,
 * change event restore) as a new version. Archiving an archived item, or
 * restoring one that is not archived (there is nothing to restore), is
 * unchanged.
 */
export function planStateChange(
  stored: StoredRecord | undefined,
  what: string,
  target: 'archive' | 'restore',
  expectedVersion: number | undefined,
  stamp: WriteStamp,
): WritePlan {
  if (!stored) return notFound(what, expectedVersion);
  if (expectedVersion !== undefined && stored.version !== expectedVersion) return versionConflict(stored, expectedVersion);
  const isArchived = stored.state === 'archived';
  if (target === 'archive' ? isArchived : !isArchived) return { status: 'unchanged', before: stored };
  return changed(
    stored,
    {
      payload: stored.payload,
      state: target === 'archive' ? 'archived' : 'active',
      tags: stored.tags,
      extends: stored.extends,
      mergeStrategy: stored.mergeStrategy,
    },
    stamp,
    'updated',
    target,
  );
}

export interface ImportMode {
  onConflict: MetadataConflictStrategy;
  preserveVersions: boolean;
}

/**
 * One imported record (a complete MetadataRecord, an export's line): not
 * stored -> created, with its version when preserveVersions, else 1, and
 * the store's checksum and audit fields, never the supplied ones (R12);
 * stored -> as a save with onConflict, every envelope field counting as
 * given (an absent extends removes the stored parent).
 */
export function planImport(
  stored: StoredRecord | undefined,
  record: MetadataRecord,
  mode: ImportMode,
  stamp: WriteStamp,
  newId: () => string,
): WritePlan {
  if (!stored) {
    return {
      status: 'created',
      after: newRecord(
        {
          type: record.type,
          name: record.name,
          namespace: record.namespace,
          scope: record.scope,
          state: record.state,
          payload: record.payload,
          extends: record.extends,
          mergeStrategy: record.mergeStrategy,
          owner: record.owner,
          tenantId: record.tenantId,
          version: mode.preserveVersions ? record.version : 1,
          tags: record.tags,
        },
        newId(),
        stamp,
      ),
    };
  }
  return writeOverStored(
    stored,
    mode.onConflict,
    { payload: record.payload, state: record.state, tags: record.tags, extends: record.extends, mergeStrategy: record.mergeStrategy },
    stamp,
  );
}

/**
 * The store error of a failed single-item write, for the key it named:
 * version_conflict and already_exists carry the key; not_found does not.
 */
export function toStoreError(error: MetadataOperationError, key: KeyFields): MetadataStoreError {
  switch (error.code) {
    case 'version_conflict':
      return { ...error, key: keyOf(key) };
    case 'already_exists':
      return { ...error, key: keyOf(key) };
    case 'not_found':
      return error;
    case 'invalid':
      return {
        code: 'invalid_input',
        message: error.message,
        issues: [{ path: error.path ?? [], code: 'custom', message: error.message }],
      };
    default:
      return { code: 'unavailable', message: error.message };
  }
}
