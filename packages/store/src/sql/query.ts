/**
 * Queries of the SQL stores (R6, R7, R24 to R26, R36, R40): who may see a
 * record, which records the filters select, their order and the keyset page
 * after a position, compiled into one statement that answers exactly as the
 * in-memory reference does (base/context.ts isVisible, base/filter.ts
 * matchesFilters, base/sort.ts sortRecords and pageAfter) on every dialect.
 *
 * What the compiler relies on (sql/layout.ts): text columns compare by code
 * point; owner and extends hold '' when absent; createdAt and updatedAt hold
 * `toISOString()` text, years 0000 to 9999, so their text order is their
 * instant order; tags and payload hold JSON.stringify text, payload always an
 * object. A condition whose answer follows from those types (a number against
 * a text column, a sub-millisecond instant against millisecond text, a string
 * with U+0000 on PostgreSQL, where no text holds one) is decided here, as a
 * constant, rather than in SQL.
 */
import type { JsonValue, MetadataQueryCondition, MetadataQueryFilters, MetadataRecordField, MetadataSort } from '@metasource/spec';
import { sql, type Kysely } from 'kysely';
import { parseInstant } from '../base/compare';
import { decodePayloadPath, isPayloadPath } from '../base/json-pointer';
import type { StoredRecord } from '../base/record';
import type { Position, SortValue } from '../base/sort';
import { RECORD_FIELDS, type SqlLayout, type SqlServer } from './layout';
import {
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
  and,
  not,
  or,
  toSql,
  type Comparison,
  type Condition,
  type Sql,
  type SqlDialect,
} from './query-dialect';
import { fromRow, type Row } from './row';
import type { PageRequest, ReadScope, RecordSelection } from '../base/backend';

/** The read the backend interface defines: who reads, which records, which page. */
export type { PageRequest, ReadScope, RecordSelection } from '../base/backend';

/** One page of visible matching records, in order, and whether more follow (read limit + 1 rows). */
export async function selectRecords(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  scope: ReadScope,
  selection: RecordSelection,
  page: PageRequest,
): Promise<{ records: StoredRecord[]; hasMore: boolean }> {
  if (!Number.isSafeInteger(page.limit) || page.limit < 1) {
    throw new Error('page.limit must be a whole number of at least 1 (rule page_limit_positive)');
  }
  const query = new QueryCompiler(server, layout);
  const order = query.orderBy(page.sort);
  const where = and(query.where(scope, selection), page.after === undefined ? true : query.after(page.sort, page.after));
  // One row more than the page: whether it comes back says whether more follow.
  const statement = sql<Row>`SELECT ${query.columns()} FROM ${query.table()} WHERE ${toSql(where)} ORDER BY ${order} LIMIT ${page.limit + 1}`;
  const { rows } = await statement.execute(db);
  return {
    records: rows.slice(0, page.limit).map((row) => fromRow(layout, row)),
    hasMore: rows.length > page.limit,
  };
}

/** How many visible records match. */
export async function countRecords(
  db: Kysely<any>,
  server: SqlServer,
  layout: SqlLayout,
  scope: ReadScope,
  selection: RecordSelection,
): Promise<number> {
  const query = new QueryCompiler(server, layout);
  const where = query.where(scope, selection);
  const statement = sql<{ record_count: number | string }>`SELECT COUNT(*) AS record_count FROM ${query.table()} WHERE ${toSql(where)}`;
  const { rows } = await statement.execute(db);
  // PostgreSQL returns a bigint as text.
  return Number(rows[0]?.record_count ?? 0);
}

/** The alias of the records table in every statement. */
const RECORD_ALIAS = 'r';

/** How a record field's column holds its value. */
type FieldKind =
  /** Text, always present. */
  | 'text'
  /** Text, '' when absent (owner, extends). */
  | 'optional'
  /** `toISOString()` text, compared as an instant. */
  | 'instant'
  /** A 64-bit integer (version). */
  | 'number'
  /** JSON text of an array of strings (tags). */
  | 'array';

function kindOf(field: MetadataRecordField): FieldKind {
  switch (field) {
    case 'owner':
    case 'extends':
      return 'optional';
    case 'createdAt':
    case 'updatedAt':
      return 'instant';
    case 'version':
      return 'number';
    case 'tags':
      return 'array';
    default:
      return 'text';
  }
}

/** The SQL operator of each ordering condition. */
const ORDERING: Readonly<Record<'gt' | 'gte' | 'lt' | 'lte', Comparison>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** The first and last instants `toISOString()` writes in 24 characters (years 0000 to 9999). */
const FIRST_INSTANT_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** Builds the parts of one statement on one dialect. */
class QueryCompiler {
  readonly #dialect: SqlDialect<unknown>;
  readonly #layout: SqlLayout;

  constructor(server: SqlServer, layout: SqlLayout) {
    this.#layout = layout;
    this.#dialect = dialectOf(server);
  }

  /** The records table, schema-qualified when the layout names a schema, as `r`. */
  table(): Sql {
    const { schema, records } = this.#layout.tables;
    return sql`${schema === undefined ? sql.id(records) : sql.id(schema, records)} AS ${sql.id(RECORD_ALIAS)}`;
  }

  /** Every record column, by its own name. */
  columns(): Sql {
    return sql.join(RECORD_FIELDS.map((field) => this.#column(field)));
  }

  #column(field: MetadataRecordField): Sql {
    return sql.id(RECORD_ALIAS, this.#layout.columns[field]);
  }

  /** Whether a text value can be stored at all (PostgreSQL's text holds no U+0000). */
  #storable(text: string): boolean {
    return this.#dialect.holdsNul || !text.includes('\u0000');
  }

  /** The records the caller may see (R36, R40) that the selection matches. */
  where(scope: ReadScope, selection: RecordSelection): Condition {
    return and(this.#visible(scope), this.#filters(selection.filters, selection.includeArchived));
  }

  #visible(scope: ReadScope): Condition {
    const tenants = this.#anyOf('tenantId', scope.readTenants);
    if (scope.administersUsers) return tenants;
    // An absent owner is stored as '', which no actor is.
    const own = scope.actor !== '' && this.#storable(scope.actor) && sql`${this.#column('owner')} = ${scope.actor}`;
    return and(tenants, or(sql`${this.#column('scope')} <> ${'user'}`, own));
  }

  /** A filter of one value or a list (any of them). */
  #anyOf(field: MetadataRecordField, wanted: string | readonly string[]): Condition {
    return this.#textIn(this.#column(field), typeof wanted === 'string' ? [wanted] : wanted);
  }

  #filters(filters: MetadataQueryFilters, includeArchived: boolean): Condition {
    const d = this.#dialect;
    const parts: Condition[] = [];
    if (filters.type !== undefined) parts.push(this.#anyOf('type', filters.type));
    if (filters.name !== undefined) parts.push(this.#anyOf('name', filters.name));
    if (filters.namespace !== undefined) parts.push(this.#anyOf('namespace', filters.namespace));
    if (filters.scope !== undefined) parts.push(this.#anyOf('scope', filters.scope));
    if (filters.state !== undefined) parts.push(this.#anyOf('state', filters.state));
    else if (!includeArchived) parts.push(sql`${this.#column('state')} <> ${'archived'}`);
    if (filters.owner !== undefined) parts.push(filters.owner !== '' && this.#anyOf('owner', filters.owner));
    if (filters.tenantId !== undefined) parts.push(this.#anyOf('tenantId', filters.tenantId));
    for (const tag of filters.tags ?? []) {
      parts.push(this.#storable(tag) && d.hasStringElement(d.root(this.#column('tags')), tag));
    }
    if (filters.updatedAfter !== undefined) parts.push(this.#instant(this.#column('updatedAt'), '>', filters.updatedAfter));
    if (filters.updatedBefore !== undefined) parts.push(this.#instant(this.#column('updatedAt'), '<', filters.updatedBefore));
    (filters.conditions ?? []).forEach((condition, index) => parts.push(this.#condition(condition, index)));
    return and(...parts);
  }

  #condition(condition: MetadataQueryCondition, index: number): Condition {
    const { field } = condition;
    if (isPayloadPath(field)) {
      const keys = decodePayloadPath(field);
      if (keys === undefined) {
        throw new Error(
          `filters.conditions[${index}].field is not a payload path: "payload/" and JSON Pointer segments, each non-empty, with "~" only in ~0 and ~1 (rule payload_path_is_json_pointer)`,
        );
      }
      return this.#payloadCondition(keys, condition);
    }
    if (!(RECORD_FIELDS as readonly string[]).includes(field) || field === 'payload') {
      throw new Error(
        `filters.conditions[${index}].field must be a record field other than payload, or a payload path (rule condition_field_known)`,
      );
    }
    return this.#fieldCondition(field as MetadataRecordField, condition);
  }

  /** A comparison of a string, with a string that holds U+0000 rewritten where no stored text can hold one. */
  #ordering(op: Comparison, value: string): { op: Comparison; value: string } {
    const nul = value.indexOf('\u0000');
    if (this.#dialect.holdsNul || nul < 0) return { op, value };
    // No stored s holds U+0000, so s differs from value within value's prefix p before it, or s is p or begins with p:
    // s > value and s >= value exactly when s > p; s < value and s <= value exactly when s <= p.
    return { op: op === '>' || op === '>=' ? '>' : '<=', value: value.slice(0, nul) };
  }

  /** A condition on an envelope column. */
  #fieldCondition(field: MetadataRecordField, condition: MetadataQueryCondition): Condition {
    const d = this.#dialect;
    const kind = kindOf(field);
    const column = this.#column(field);
    const present: Condition = kind === 'optional' ? sql`${column} <> ${''}` : sql`${column} IS NOT NULL`;
    const textual = kind === 'text' || kind === 'optional';

    const equals = (value: JsonValue): Condition => {
      if (value === null) return not(present);
      switch (kind) {
        case 'text':
        case 'optional':
          return typeof value === 'string' && (kind === 'text' || value !== '') && this.#storable(value) && sql`${column} = ${value}`;
        case 'instant':
          return typeof value === 'string' && this.#instant(column, '=', value);
        case 'number':
          return typeof value === 'number' && sql`${column} = ${d.number(value)}`;
        case 'array':
          return Array.isArray(value) && d.documentEquals(column, value);
      }
    };

    const ordered = (op: Comparison, value: string | number): Condition => {
      if (textual) {
        if (typeof value !== 'string') return false;
        const comparison = this.#ordering(op, value);
        return and(kind === 'optional' ? present : true, sql`${column} ${sql.raw(comparison.op)} ${comparison.value}`);
      }
      if (kind === 'instant') return typeof value === 'string' && this.#instant(column, op, value);
      if (kind === 'number') return typeof value === 'number' && sql`${column} ${sql.raw(op)} ${d.number(value)}`;
      return false;
    };

    const within = (values: readonly (string | number | boolean | null)[]): Condition => {
      let positive: Condition = false;
      if (textual) {
        const strings = values.filter((value): value is string => typeof value === 'string' && (kind === 'text' || value !== ''));
        positive = this.#textIn(column, strings);
      } else if (kind === 'instant') {
        const texts = values.flatMap((value) => {
          const text = typeof value === 'string' ? millisecondText(value) : undefined;
          return text === undefined ? [] : [text];
        });
        positive = this.#textIn(column, texts);
      } else if (kind === 'number') {
        const numbers = unique(values.filter((value): value is number => typeof value === 'number'));
        positive = numbers.length === 1 ? sql`${column} = ${d.number(numbers[0]!)}` : d.numberIn(column, numbers);
      }
      return or(positive, values.includes(null) && not(present));
    };

    switch (condition.operator) {
      case 'eq':
        return equals(condition.value);
      case 'ne':
        return not(equals(condition.value));
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return ordered(ORDERING[condition.operator], condition.value);
      case 'in':
        return within(condition.value);
      case 'not_in':
        return not(within(condition.value));
      case 'contains': {
        const part = condition.value;
        if (!this.#storable(part)) return false;
        if (kind === 'array') return d.hasStringElement(d.root(column), part);
        if (kind === 'number') return false;
        return and(kind === 'optional' ? present : true, d.textContains(column, part));
      }
      case 'starts_with': {
        const prefix = condition.value;
        if (!this.#storable(prefix) || kind === 'array' || kind === 'number') return false;
        return and(kind === 'optional' ? present : true, d.textStartsWith(column, prefix));
      }
      case 'exists':
        return condition.value ? present : not(present);
    }
  }

  /** The text column equals one of the strings (none: never). */
  #textIn(column: Sql, strings: readonly string[]): Condition {
    const values = unique(strings).filter((value) => this.#storable(value));
    if (values.length === 1) return sql`${column} = ${values[0]}`;
    return this.#dialect.textIn(column, values);
  }

  /**
   * An instant comparison of a `toISOString()` column with a date-time of
   * any offset and precision: the value floored to the millisecond compares
   * as text, and digits below the millisecond move the bound (s > v.5 holds
   * exactly when s > v; s = v.5 never holds).
   */
  #instant(column: Sql, op: Comparison, value: string): Condition {
    const instant = parseInstant(value);
    if (instant === undefined) return false;
    const ms = instant.seconds * 1000 + Number(instant.fraction.slice(0, 3).padEnd(3, '0'));
    const below = instant.fraction.length > 3;
    const present = sql`${column} IS NOT NULL`;
    if (ms < FIRST_INSTANT_MS) return (op === '>' || op === '>=') && present;
    if (ms > LAST_INSTANT_MS) return (op === '<' || op === '<=') && present;
    const text = new Date(ms).toISOString();
    if (!below) return sql`${column} ${sql.raw(op)} ${text}`;
    if (op === '=') return false;
    return sql`${column} ${sql.raw(op === '>' || op === '>=' ? '>' : '<=')} ${text}`;
  }

  /** A condition on a payload path. */
  #payloadCondition(keys: readonly string[], condition: MetadataQueryCondition): Condition {
    const d = this.#dialect;
    const document = this.#column('payload');
    const at = (test: (node: unknown) => Condition) => d.atPath(document, keys, test);
    const presentNotNull = () => at((node) => d.notNull(node));
    const equals = (value: JsonValue): Condition => (value === null ? not(presentNotNull()) : at((node) => d.equalsJson(node, value)));
    const within = (values: readonly (string | number | boolean | null)[]): Condition => {
      const scalars = values.filter((value): value is string | number | boolean => value !== null);
      return or(scalars.length > 0 && at((node) => d.equalsScalarIn(node, scalars)), values.includes(null) && not(presentNotNull()));
    };

    switch (condition.operator) {
      case 'eq':
        return equals(condition.value);
      case 'ne':
        return not(equals(condition.value));
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const op = ORDERING[condition.operator];
        const { value } = condition;
        if (typeof value === 'number') return at((node) => d.compareNumber(node, op, value));
        const comparison = this.#ordering(op, value);
        return at((node) => d.compareString(node, comparison.op, comparison.value));
      }
      case 'in':
        return within(condition.value);
      case 'not_in':
        return not(within(condition.value));
      case 'contains': {
        const part = condition.value;
        if (!this.#storable(part)) return false;
        return at((node) => or(d.containsText(node, part), d.hasStringElement(node, part)));
      }
      case 'starts_with': {
        const prefix = condition.value;
        if (!this.#storable(prefix)) return false;
        return at((node) => d.startsWithText(node, prefix));
      }
      case 'exists':
        return condition.value ? presentNotNull() : not(presentNotNull());
    }
  }

  /** ORDER BY the sort keys, then id ascending (R24). */
  orderBy(sort: readonly MetadataSort[]): Sql {
    const keys = sort.map(({ field, direction }, index) => {
      sortKind(field, index);
      if (direction !== 'asc' && direction !== 'desc') {
        throw new Error(`page.sort[${index}].direction must be asc or desc (rule sort_direction_known)`);
      }
      return sql`${this.#column(field)} ${sql.raw(direction === 'desc' ? 'DESC' : 'ASC')}`;
    });
    return sql.join([...keys, sql`${this.#column('id')} ASC`]);
  }

  /**
   * The records strictly after a position in the order of the sort keys and
   * id: for some key, every earlier key equal and this one beyond (after in
   * its direction), every value bound.
   */
  after(sort: readonly MetadataSort[], position: Position): Condition {
    if (position.values.length !== sort.length) {
      throw new Error(
        `page.after.values has ${position.values.length} values for ${sort.length} sort keys: one per key (rule position_fits_sort)`,
      );
    }
    if (typeof position.id !== 'string' || position.id === '') {
      throw new Error('page.after.id must be the id of the last record of the previous page (rule position_fits_sort)');
    }
    const keys = sort.map(({ field, direction }, index) => ({
      column: this.#column(field),
      descending: direction === 'desc',
      value: this.#sortParameter(field, position.values[index]!, index),
    }));
    keys.push({ column: this.#column('id'), descending: false, value: sql`${position.id}` });
    return or(
      ...keys.map((key, index) =>
        and(
          ...keys.slice(0, index).map((earlier) => sql`${earlier.column} = ${earlier.value}`),
          sql`${key.column} ${sql.raw(key.descending ? '<' : '>')} ${key.value}`,
        ),
      ),
    );
  }

  /** A position's sort value as its column holds it: an absent owner or extends (null) as ''. */
  #sortParameter(field: MetadataRecordField, value: SortValue, index: number): Sql {
    const kind = sortKind(field, index);
    const fits =
      kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : kind === 'optional'
          ? value === null || (typeof value === 'string' && value !== '')
          : typeof value === 'string';
    if (!fits) {
      const wanted = kind === 'number' ? 'a number' : kind === 'optional' ? 'a non-empty string, or null when absent' : 'a string';
      throw new Error(`page.after.values[${index}] must be ${wanted} for sort field ${field} (rule position_fits_sort)`);
    }
    if (kind === 'number') return this.#dialect.number(value as number);
    return sql`${value ?? ''}`;
  }
}

/** The kind of a sortable field; payload and tags have no order (MetadataSortSchema). */
function sortKind(field: MetadataRecordField, index: number): Exclude<FieldKind, 'array'> {
  if (!(RECORD_FIELDS as readonly string[]).includes(field) || field === 'payload' || field === 'tags') {
    throw new Error(`page.sort[${index}].field must be a record field other than payload and tags (rule sort_field_sortable)`);
  }
  return kindOf(field) as Exclude<FieldKind, 'array'>;
}

/** A date-time as the `toISOString()` text of the same instant, or undefined when no stored text can equal it. */
function millisecondText(value: string): string | undefined {
  const instant = parseInstant(value);
  if (instant === undefined || instant.fraction.length > 3) return undefined;
  const ms = instant.seconds * 1000 + Number(instant.fraction.padEnd(3, '0'));
  return ms < FIRST_INSTANT_MS || ms > LAST_INSTANT_MS ? undefined : new Date(ms).toISOString();
}

function dialectOf(server: SqlServer): SqlDialect<unknown> {
  switch (server.driver) {
    case 'sqlite':
      return new SqliteDialect();
    case 'postgres':
      return new PostgresDialect();
    case 'mysql':
      return new MysqlDialect();
  }
}
