/**
 * The --json results of the metasource command: every run prints exactly
 * one of these objects on stdout (one line), whatever its outcome; a run
 * that fails prints an ErrorResult. Each carries the command and the exit
 * code the run ends with. `changes --follow --json` is the one stream: one
 * MetadataChangeEvent per line as the events arrive, then its result.
 */
import {
  DatasourceCapabilitiesSchema,
  JsonValueSchema,
  MetadataChangeEventSchema,
  MetadataConflictStrategySchema,
  MetadataMigrationPlanSchema,
  MetadataCursorSchema,
  MetadataOperationErrorSchema,
  MetadataRecordSchema,
  MetadataSaveResultSchema,
  MetadataStoreErrorSchema,
} from '@metasource/spec';
import { z } from 'zod';

const exitCode = () => z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(130)]);
const count = () => z.int().min(0);

/** One problem in a file: `file:line:column path message`. */
export const ProblemSchema = z.strictObject({
  file: z.string().min(1),
  line: z.int().min(1).optional(),
  column: z.int().min(1).optional(),
  path: z.string(),
  message: z.string().min(1),
  severity: z.enum(['error', 'warning']),
});

/** The datasource a command worked on, named without secrets. */
export const DatasourceRefSchema = z.strictObject({
  name: z.string().min(1),
  driver: z.enum(['postgres', 'mysql', 'sqlite', 'mongodb']),
  /** Driver, host and port (or the SQLite file, or the reference holding a URL). */
  target: z.string().min(1),
});

/** A run that failed before it could do its work: usage error, invalid config, unreachable database, interruption. */
export const ErrorResultSchema = z.strictObject({
  command: z.string().min(1),
  exitCode: exitCode(),
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    hint: z.string().min(1).optional(),
    problems: z.array(ProblemSchema),
  }),
});

export const ValidateResultSchema = z.strictObject({
  command: z.literal('validate'),
  exitCode: exitCode(),
  valid: z.boolean(),
  files: z.array(
    z.strictObject({
      file: z.string().min(1),
      kind: z.enum(['config', 'records', 'record', 'tree']),
      valid: z.boolean(),
      /** Records checked (0 for a config). */
      records: count(),
      problems: z.array(ProblemSchema),
    }),
  ),
  errors: count(),
  warnings: count(),
});

export const DoctorCheckSchema = z.strictObject({
  name: z.enum(['config', 'connection', 'capabilities', 'layout', 'migrations', 'lock']),
  status: z.enum(['pass', 'warn', 'fail']),
  message: z.string().min(1),
  hint: z.string().min(1).optional(),
});

export const DoctorResultSchema = z.strictObject({
  command: z.literal('doctor'),
  exitCode: exitCode(),
  ok: z.boolean(),
  config: z.string().min(1),
  datasource: DatasourceRefSchema,
  server: z.strictObject({ flavor: z.enum(['sqlite', 'postgres', 'mariadb', 'mysql']), version: z.string().min(1) }).optional(),
  capabilities: DatasourceCapabilitiesSchema.optional(),
  checks: z.array(DoctorCheckSchema).min(1),
});

export const MigrateResultSchema = z.strictObject({
  command: z.literal('migrate'),
  exitCode: exitCode(),
  datasource: DatasourceRefSchema,
  applied: z.boolean(),
  plan: MetadataMigrationPlanSchema,
  /** What the plan leaves out or builds another way on this database. */
  warnings: z.array(z.string()),
  durationMs: count(),
});

export const ExportResultSchema = z.strictObject({
  command: z.literal('export'),
  exitCode: exitCode(),
  datasource: DatasourceRefSchema,
  format: z.enum(['jsonl', 'tree']),
  /** The file or directory written; `-` for stdout. */
  target: z.string().min(1),
  records: count(),
  tenants: z.array(z.string()),
  interrupted: z.boolean(),
  durationMs: count(),
});

export const ImportCountsSchema = z.strictObject({
  created: count(),
  updated: count(),
  replaced: count(),
  skipped: count(),
  unchanged: count(),
  failed: count(),
  notAttempted: count(),
});

export const ImportResultSchema = z.strictObject({
  command: z.literal('import'),
  exitCode: exitCode(),
  datasource: DatasourceRefSchema,
  source: z.strictObject({ path: z.string().min(1), kind: z.enum(['jsonl', 'tree']), format: z.enum(['record', 'payload']).optional() }),
  dryRun: z.boolean(),
  atomic: z.boolean(),
  onConflict: MetadataConflictStrategySchema,
  batchSize: z.int().min(1),
  /** Records read and valid. */
  read: count(),
  /** What happened to the records sent to the store (in a dry run: what would have). */
  counts: ImportCountsSchema,
  /** Records written durably (created, updated or replaced in a committed transaction). */
  committedRecords: count(),
  /** Committed transactions that wrote records: batches (one for an atomic import). */
  committedBatches: count(),
  interrupted: z.boolean(),
  failures: z.array(
    z.strictObject({
      index: count(),
      location: z.string().min(1),
      key: z.string().min(1),
      error: MetadataOperationErrorSchema,
    }),
  ),
  /** Problems of the files: when there are any, nothing was written. */
  problems: z.array(ProblemSchema),
  warnings: z.array(ProblemSchema),
  /** Why the import stopped when the store refused a whole call (a batch, or the atomic import): what was committed before it stays. */
  error: z.strictObject({ code: z.string().min(1), message: z.string().min(1), hint: z.string().min(1).optional() }).optional(),
  durationMs: count(),
});

const DiffSideSchema = z.strictObject({
  source: z.string().min(1),
  kind: z.enum(['datasource', 'jsonl', 'tree']),
  records: count(),
});

/** A field of two versions of an item that differs: a JSON Pointer into the record and both values (absent where a side lacks it). */
export const FieldDifferenceSchema = z.strictObject({
  path: z.string(),
  before: JsonValueSchema.optional(),
  after: JsonValueSchema.optional(),
});

export const DiffResultSchema = z.strictObject({
  command: z.literal('diff'),
  exitCode: exitCode(),
  equal: z.boolean(),
  a: DiffSideSchema,
  b: DiffSideSchema,
  /** Items only B has. */
  added: z.array(z.strictObject({ key: z.string().min(1), location: z.string().min(1) })),
  /** Items only A has. */
  removed: z.array(z.strictObject({ key: z.string().min(1), location: z.string().min(1) })),
  changed: z.array(
    z.strictObject({
      key: z.string().min(1),
      a: z.strictObject({ checksum: z.string(), location: z.string().min(1) }),
      b: z.strictObject({ checksum: z.string(), location: z.string().min(1) }),
      differences: z.array(FieldDifferenceSchema).min(1),
    }),
  ),
  /** Entries of a source that are not records, and items a source holds twice: a difference too. */
  problems: z.array(ProblemSchema),
  warnings: z.array(ProblemSchema),
});

export const ChangesResultSchema = z.strictObject({
  command: z.literal('changes'),
  exitCode: exitCode(),
  datasource: DatasourceRefSchema,
  tenantId: z.string().min(1),
  afterSequence: count(),
  /** The events read (empty with --follow, which prints each event as it arrives). */
  events: z.array(MetadataChangeEventSchema),
  eventCount: count(),
  lastSequence: count(),
  hasMore: z.boolean(),
  follow: z.boolean(),
  interrupted: z.boolean(),
});

export const ConformanceResultSchema = z.strictObject({
  command: z.literal('conformance'),
  exitCode: exitCode(),
  module: z.string().min(1),
  storeName: z.string().min(1),
  summary: z.strictObject({ total: count(), pass: count(), errors: count(), warnings: count(), skipped: count() }),
  results: z.array(
    z.strictObject({
      id: z.string().min(1),
      requirement: z.string().min(1),
      level: z.enum(['MUST', 'SHOULD', 'MAY']),
      title: z.string().min(1),
      outcome: z.enum(['pass', 'fail', 'skipped']),
      message: z.string().optional(),
    }),
  ),
  /** Where the Markdown report was written, when --out named a file. */
  report: z.string().min(1).optional(),
  interrupted: z.boolean(),
});

export const QueryResultSchema = z.strictObject({
  command: z.literal('query'),
  exitCode: exitCode(),
  datasource: DatasourceRefSchema,
  /** The tenants read: the --tenant values, or every tenant of the store. */
  tenants: z.array(z.string()),
  /** Whether the records are the items as they take effect (--resolve: load with resolveInheritance) or as stored. */
  resolveInheritance: z.boolean(),
  /** The records of the page read (with --all, of every page), in the query's order. */
  records: z.array(MetadataRecordSchema),
  /** The cursor of the next page, present exactly when more records follow: pass it as --cursor. */
  nextCursor: MetadataCursorSchema.optional(),
  /** The records matching the query across every page. */
  total: count(),
  /** Pages read (0 when the store holds no tenant). */
  pages: count(),
  interrupted: z.boolean(),
});

export const SaveResultSchema = z
  .strictObject({
    command: z.literal('save'),
    exitCode: exitCode(),
    datasource: DatasourceRefSchema,
    /** The file the item was read from. */
    file: z.string().min(1),
    /** The item's key as a path: tenant/scope[/owner]/type/namespace/name. */
    key: z.string().min(1),
    tenantId: z.string().min(1),
    onConflict: MetadataConflictStrategySchema,
    /** The version the save was based on (--expected-version, or the file's expectedVersion). */
    expectedVersion: z.int().min(1).optional(),
    dryRun: z.boolean(),
    /** What the store did: present when the save was accepted. */
    saved: MetadataSaveResultSchema.optional(),
    /** Why the store refused it (version_conflict, already_exists, not_found): present when it was refused; nothing was written. */
    error: MetadataStoreErrorSchema.optional(),
  })
  .refine((result) => (result.saved === undefined) !== (result.error === undefined), {
    message: 'a save result holds either saved (accepted) or error (refused)',
    path: ['saved'],
  });

/** Any --json result of the command. */
export const CliResultSchema = z.union([
  ValidateResultSchema,
  DoctorResultSchema,
  MigrateResultSchema,
  ExportResultSchema,
  ImportResultSchema,
  DiffResultSchema,
  ChangesResultSchema,
  QueryResultSchema,
  SaveResultSchema,
  ConformanceResultSchema,
  ErrorResultSchema,
]);

export type ProblemResult = z.output<typeof ProblemSchema>;
export type DatasourceRef = z.output<typeof DatasourceRefSchema>;
export type ErrorResult = z.output<typeof ErrorResultSchema>;
export type ValidateResult = z.output<typeof ValidateResultSchema>;
export type DoctorCheck = z.output<typeof DoctorCheckSchema>;
export type DoctorResult = z.output<typeof DoctorResultSchema>;
export type MigrateResult = z.output<typeof MigrateResultSchema>;
export type ExportResult = z.output<typeof ExportResultSchema>;
export type ImportCounts = z.output<typeof ImportCountsSchema>;
export type ImportResult = z.output<typeof ImportResultSchema>;
export type FieldDifference = z.output<typeof FieldDifferenceSchema>;
export type DiffResult = z.output<typeof DiffResultSchema>;
export type ChangesResult = z.output<typeof ChangesResultSchema>;
export type QueryResult = z.output<typeof QueryResultSchema>;
export type SaveResult = z.output<typeof SaveResultSchema>;
export type ConformanceCliResult = z.output<typeof ConformanceResultSchema>;
export type CliResult = z.output<typeof CliResultSchema>;
