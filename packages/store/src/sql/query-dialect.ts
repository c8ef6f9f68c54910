/**
 * The SQL each dialect needs to test values the way the protocol compares
 * them (base/compare.ts, base/filter.ts, R7): a JSON value inside a column (a
 * payload path, the tags array) by its JSON type first, strings by code point,
 * numbers as the doubles JavaScript reads; text by position, never LIKE.
 *
 * Every value of a query reaches the database as a bound parameter, payload
 * path keys included (PostgreSQL: one `text[]`; SQLite: each key compared with
 * `json_each`'s key column; MySQL/MariaDB: a path string whose labels are JSON
 * string literals). Type names, aliases and operators are the code's own text.
 *
 * A path segment of decimal digits without a leading zero selects an element
 * of an array and a key of an object; any other segment only a key. The
 * databases' path syntaxes disagree there (PostgreSQL's `#>` reads "-1", "01",
 * "+1" and " 1" as indexes; MySQL and MariaDB read `$[0]` of a non-array as the
 * value itself; SQLite's path labels stop at U+0000), so each dialect decides
 * per step from the type of the value it steps from.
 *
 * The payload is always a JSON object (JsonObjectSchema), so a path's first
 * key is always looked up as a key.
 */
import type { JsonValue } from '@metasource/spec';
import { sql, type RawBuilder } from 'kysely';

/** A piece of SQL. */
export type Sql = RawBuilder<unknown>;

/**
 * A condition: SQL that is true, false or NULL (NULL counts as false: a
 * positive test on an absent value), or a constant decided in TypeScript.
 */
export type Condition = boolean | Sql;

/** The comparison operators, as SQL writes them. */
export type Comparison = '=' | '<' | '<=' | '>' | '>=';

/** A JSON scalar other than null, as `in` and `not_in` lists hold them. */
export type JsonScalar = string | number | boolean;

/** An array index segment (RFC 6901): "0" or digits without a leading zero. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * Above this no array is long enough to have the element: 2^31 elements need
 * more than 4 GiB of JSON text, past the largest payload every dialect holds
 * (MySQL's LONGTEXT).
 */
const MAX_ARRAY_INDEX = 2 ** 31 - 1;

/** Whether a path key selects an array element, and which. */
export function arrayIndexOf(key: string): number | undefined {
  if (!ARRAY_INDEX.test(key)) return undefined;
  const index = Number(key);
  return index <= MAX_ARRAY_INDEX ? index : undefined;
}

/** Whether a JSON value holds U+0000 in a string or a key, at any depth. */
export function holdsNul(value: JsonValue): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, element]) => key.includes('\u0000') || holdsNul(element));
  }
  return false;
}

const TRUE_SQL = sql`1 = 1`;
const FALSE_SQL = sql`1 = 0`;

/** Every part holds (AND); constants fold away. */
export function and(...parts: Condition[]): Condition {
  if (parts.includes(false)) return false;
  const rest = parts.filter((part): part is Sql => part !== true);
  if (rest.length === 0) return true;
  if (rest.length === 1) return rest[0]!;
  return sql`(${sql.join(rest, sql` AND `)})`;
}

/** Some part holds (OR); constants fold away. */
export function or(...parts: Condition[]): Condition {
  if (parts.includes(true)) return true;
  const rest = parts.filter((part): part is Sql => part !== false);
  if (rest.length === 0) return false;
  if (rest.length === 1) return rest[0]!;
  return sql`(${sql.join(rest, sql` OR `)})`;
}

/** The exact negation: a NULL (an absent value's test) counts as false first, so its negation holds. */
export function not(part: Condition): Condition {
  return typeof part === 'boolean' ? !part : sql`NOT COALESCE(${part}, FALSE)`;
}

/** A condition as SQL. */
export function toSql(condition: Condition): Sql {
  return condition === true ? TRUE_SQL : condition === false ? FALSE_SQL : condition;
}

/** A comparison operator as SQL text: only ever one of the five literals above. */
function operator(op: Comparison): Sql {
  return sql.raw(op);
}

/** The SQL of one dialect; `N` is how it holds a JSON value while testing it. */
export abstract class SqlDialect<N> {
  /** Whether text values may hold U+0000 (PostgreSQL's text cannot). */
  abstract readonly holdsNul: boolean;

  #aliases = 0;

  /** A new alias for a table function inside this statement (`j1`, `j2`, ...). */
  protected alias(): Sql {
    this.#aliases += 1;
    return sql.id(`j${this.#aliases}`);
  }

  // Text and number columns (binary-collated, as layout.ts says).

  /** The text contains `part` (code points, case-sensitive). */
  abstract textContains(text: Sql, part: string): Condition;
  /** The text begins with `prefix`. */
  abstract textStartsWith(text: Sql, prefix: string): Condition;
  /** The text column equals one of `values` (none: never). */
  abstract textIn(column: Sql, values: readonly string[]): Condition;
  /** A number to compare with a numeric column, exactly as JavaScript compares doubles. */
  abstract number(value: number): Sql;
  /** The numeric column equals one of `values`. */
  abstract numberIn(column: Sql, values: readonly number[]): Condition;
  /** A JSON text column (tags) holds a value equal to `value` (JSON equality). */
  abstract documentEquals(document: Sql, value: JsonValue): Condition;

  // JSON values.

  /** The JSON document of a column itself (tags), as a value to test. */
  abstract root(document: Sql): N;
  /** Holds when the path resolves in the document and `test` holds for the value there. */
  abstract atPath(document: Sql, keys: readonly string[], test: (node: N) => Condition): Condition;
  /** The value has this JSON type. */
  abstract isType(node: N, type: 'null' | 'array' | 'object'): Condition;
  /** The value is present and not JSON null. */
  abstract notNull(node: N): Condition;
  /** The value is a string that compares so with `value` by code point. */
  abstract compareString(node: N, op: Comparison, value: string): Condition;
  /** The value is a number that compares so with `value`. */
  abstract compareNumber(node: N, op: Comparison, value: number): Condition;
  /** The value is the boolean `value`. */
  abstract equalsBoolean(node: N, value: boolean): Condition;
  /** The value is a string containing `part`. */
  abstract containsText(node: N, part: string): Condition;
  /** The value is a string beginning with `prefix`. */
  abstract startsWithText(node: N, prefix: string): Condition;
  /** The value is an array with an element that is the string `value`. */
  abstract hasStringElement(node: N, value: string): Condition;
  /** The value equals `value` (JSON equality: type-strict, numbers numerically, arrays in order, objects in any key order). */
  abstract equalsJson(node: N, value: JsonValue): Condition;
  /** The value equals one of the scalars (JSON equality). */
  abstract equalsScalarIn(node: N, values: readonly JsonScalar[]): Condition;
}

/**
 * A dialect without a JSON equality of its own (SQLite, MySQL/MariaDB):
 * a value equals a JSON value when its type, its length and each of its
 * parts do, so no serialisation or key order matters.
 */
abstract class PartwiseDialect<N> extends SqlDialect<N> {
  /** The value is a string equal to one of `values`. */
  protected abstract stringIn(node: N, values: readonly string[]): Condition;
  /** The value is a number equal to one of `values`. */
  protected abstract numberValueIn(node: N, values: readonly number[]): Condition;
  /** Holds when the object value has the key, or the array value the index, and `test` holds for the element. */
  protected abstract step(node: N, key: string | number, test: (child: N) => Condition): Condition;
  /** The array value has `length` elements, or the object value `length` keys. */
  protected abstract lengthIs(node: N, length: number): Condition;

  equalsJson(node: N, value: JsonValue): Condition {
    if (value === null) return this.isType(node, 'null');
    if (typeof value === 'string') return this.compareString(node, '=', value);
    if (typeof value === 'number') return this.compareNumber(node, '=', value);
    if (typeof value === 'boolean') return this.equalsBoolean(node, value);
    if (Array.isArray(value)) {
      return and(
        this.isType(node, 'array'),
        this.lengthIs(node, value.length),
        ...value.map((element, index) => this.step(node, index, (child) => this.equalsJson(child, element))),
      );
    }
    const keys = Object.keys(value);
    return and(
      this.isType(node, 'object'),
      this.lengthIs(node, keys.length),
      ...keys.map((key) => this.step(node, key, (child) => this.equalsJson(child, value[key]!))),
    );
  }

  equalsScalarIn(node: N, values: readonly JsonScalar[]): Condition {
    const strings = unique(values.filter((value): value is string => typeof value === 'string'));
    const numbers = unique(values.filter((value): value is number => typeof value === 'number'));
    const booleans = unique(values.filter((value): value is boolean => typeof value === 'boolean'));
    return or(
      strings.length > 0 && this.stringIn(node, strings),
      numbers.length > 0 && this.numberValueIn(node, numbers),
      ...booleans.map((value) => this.equalsBoolean(node, value)),
    );
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

// SQLite ---------------------------------------------------------------------

/** A JSON value in SQLite: its `json_each` type, its SQL value when a scalar, its JSON text when a container. */
interface SqliteNode {
  type: Sql;
  atom: Sql;
  /** JSON text of an array or object; NULL otherwise (so a string that looks like JSON is never parsed). */
  container: Sql;
}

/**
 * SQLite (3.45 and later): steps through the payload with `json_each`,
 * comparing each key with the key column (text for an object's key, an
 * integer for an array's index), because path labels stop at U+0000.
 * Strings compare as BINARY (their UTF-8 bytes, code point order);
 * `instr` on BLOBs finds UTF-8 byte runs, which are whole code points.
 */
export class SqliteDialect extends PartwiseDialect<SqliteNode> {
  readonly holdsNul = true;

  textContains(text: Sql, part: string): Condition {
    return sql`instr(CAST(${text} AS BLOB), CAST(${part} AS BLOB)) > 0`;
  }

  textStartsWith(text: Sql, prefix: string): Condition {
    return sql`instr(CAST(${text} AS BLOB), CAST(${prefix} AS BLOB)) = 1`;
  }

  /** One parameter for the whole list (a JSON array), so long lists never meet SQLite's limit on parameters. */
  textIn(column: Sql, values: readonly string[]): Condition {
    if (values.length === 0) return false;
    return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
  }

  number(value: number): Sql {
    // better-sqlite3 binds a number as a REAL; SQLite compares INTEGER with REAL exactly.
    return sql`${value}`;
  }

  numberIn(column: Sql, values: readonly number[]): Condition {
    if (values.length === 0) return false;
    return sql`${column} IN (SELECT CAST(value AS REAL) FROM json_each(${JSON.stringify(values)}))`;
  }

  /** tags hold JSON.stringify text, which is one text per value of a list of strings. */
  documentEquals(document: Sql, value: JsonValue): Condition {
    return sql`${document} = ${JSON.stringify(value)}`;
  }

  root(document: Sql): SqliteNode {
    return { type: sql`json_type(${document})`, atom: sql`NULL`, container: document };
  }

  atPath(document: Sql, keys: readonly string[], test: (node: SqliteNode) => Condition): Condition {
    // The payload is an object: its first key is only a key.
    const walk = (node: SqliteNode, depth: number): Condition => {
      if (depth === keys.length) return test(node);
      const key = keys[depth]!;
      const index = depth === 0 ? undefined : arrayIndexOf(key);
      return this.#each(node, key, index, (child) => walk(child, depth + 1));
    };
    return walk({ type: sql`'object'`, atom: sql`NULL`, container: document }, 0);
  }

  /** EXISTS over the elements of a container whose key is `key` (an object's) or `index` (an array's). */
  #each(node: SqliteNode, key: string | undefined, index: number | undefined, test: (child: SqliteNode) => Condition): Condition {
    const alias = this.alias();
    const keyColumn = sql`${alias}.key`;
    const matches = or(key !== undefined && sql`${keyColumn} = ${key}`, index !== undefined && sql`${keyColumn} = ${index}`);
    const child: SqliteNode = {
      type: sql`${alias}.type`,
      atom: sql`${alias}.atom`,
      container: sql`CASE WHEN ${alias}.type IN ('array', 'object') THEN ${alias}.value END`,
    };
    const condition = and(matches, test(child));
    if (condition === false) return false;
    return sql`EXISTS (SELECT 1 FROM json_each(${node.container}) AS ${alias} WHERE ${toSql(condition)})`;
  }

  isType(node: SqliteNode, type: 'null' | 'array' | 'object'): Condition {
    return sql`${node.type} = ${sql.lit(type)}`;
  }

  notNull(node: SqliteNode): Condition {
    return sql`${node.type} <> 'null'`;
  }

  compareString(node: SqliteNode, op: Comparison, value: string): Condition {
    return sql`(${node.type} = 'text' AND ${node.atom} ${operator(op)} ${value})`;
  }

  compareNumber(node: SqliteNode, op: Comparison, value: number): Condition {
    // A JSON integer beyond 2^53 reads as an exact INTEGER; JavaScript reads the nearest double, and so does CAST.
    return sql`(${node.type} IN ('integer', 'real') AND CAST(${node.atom} AS REAL) ${operator(op)} ${value})`;
  }

  equalsBoolean(node: SqliteNode, value: boolean): Condition {
    return sql`${node.type} = ${sql.lit(value ? 'true' : 'false')}`;
  }

  containsText(node: SqliteNode, part: string): Condition {
    return and(sql`${node.type} = 'text'`, this.textContains(node.atom, part));
  }

  startsWithText(node: SqliteNode, prefix: string): Condition {
    return and(sql`${node.type} = 'text'`, this.textStartsWith(node.atom, prefix));
  }

  hasStringElement(node: SqliteNode, value: string): Condition {
    const alias = this.alias();
    return sql`(${node.type} = 'array' AND EXISTS (SELECT 1 FROM json_each(${node.container}) AS ${alias} WHERE ${alias}.type = 'text' AND ${alias}.atom = ${value}))`;
  }

  protected stringIn(node: SqliteNode, values: readonly string[]): Condition {
    return sql`(${node.type} = 'text' AND ${node.atom} IN (SELECT value FROM json_each(${JSON.stringify(values)})))`;
  }

  protected numberValueIn(node: SqliteNode, values: readonly number[]): Condition {
    return sql`(${node.type} IN ('integer', 'real') AND CAST(${node.atom} AS REAL) IN (SELECT CAST(value AS REAL) FROM json_each(${JSON.stringify(values)})))`;
  }

  protected step(node: SqliteNode, key: string | number, test: (child: SqliteNode) => Condition): Condition {
    return typeof key === 'number' ? this.#each(node, undefined, key, test) : this.#each(node, key, undefined, test);
  }

  protected lengthIs(node: SqliteNode, length: number): Condition {
    return sql`(SELECT count(*) FROM json_each(${node.container})) = ${length}`;
  }
}

// PostgreSQL -------------------------------------------------------------------

/** A JSON value in PostgreSQL: a `json` expression, NULL when absent. */
interface PostgresNode {
  value: Sql;
}

/**
 * PostgreSQL: `#>` with the keys as one `text[]` parameter. `#>` reads any
 * integer text as an array index (negative from the end), so a key that is
 * not a canonical index must meet an object. Text compares under
 * `COLLATE "C"` (bytes, code point order). JSON values compare as `jsonb`
 * (type-strict, numbers as exact numerics, strings by bytes, objects in any
 * key order). No text can hold U+0000: the caller folds values with one.
 */
export class PostgresDialect extends SqlDialect<PostgresNode> {
  readonly holdsNul = false;

  textContains(text: Sql, part: string): Condition {
    return sql`strpos(${text}, CAST(${part} AS text)) > 0`;
  }

  textStartsWith(text: Sql, prefix: string): Condition {
    return sql`starts_with(${text}, CAST(${prefix} AS text))`;
  }

  textIn(column: Sql, values: readonly string[]): Condition {
    if (values.length === 0) return false;
    return sql`${column} = ANY(CAST(${values} AS text[]))`;
  }

  /** As an exact numeric: a JavaScript number's shortest text names exactly its double, and numerics keep their order. */
  number(value: number): Sql {
    return sql`CAST(${String(value)} AS numeric)`;
  }

  numberIn(column: Sql, values: readonly number[]): Condition {
    if (values.length === 0) return false;
    return sql`${column} = ANY(CAST(${values.map(String)} AS numeric[]))`;
  }

  documentEquals(document: Sql, value: JsonValue): Condition {
    if (holdsNul(value)) return false;
    return sql`CAST(${document} AS jsonb) = CAST(${JSON.stringify(value)} AS jsonb)`;
  }

  root(document: Sql): PostgresNode {
    return { value: sql`CAST(${document} AS json)` };
  }

  atPath(document: Sql, keys: readonly string[], test: (node: PostgresNode) => Condition): Condition {
    // No stored text holds U+0000 on PostgreSQL, so no key with one is present.
    if (keys.some((key) => key.includes('\u0000'))) return test({ value: sql`CAST(NULL AS json)` });
    const json = sql`CAST(${document} AS json)`;
    const guards: Condition[] = [];
    for (let depth = 1; depth < keys.length; depth++) {
      if (ARRAY_INDEX.test(keys[depth]!)) continue;
      guards.push(sql`json_typeof(${json} #> CAST(${keys.slice(0, depth)} AS text[])) = 'object'`);
    }
    return and(...guards, test({ value: sql`(${json} #> CAST(${[...keys]} AS text[]))` }));
  }

  isType(node: PostgresNode, type: 'null' | 'array' | 'object'): Condition {
    return sql`json_typeof(${node.value}) = ${sql.lit(type)}`;
  }

  notNull(node: PostgresNode): Condition {
    return sql`json_typeof(${node.value}) <> 'null'`;
  }

  #text(node: PostgresNode): Sql {
    return sql`(${node.value} #>> '{}') COLLATE "C"`;
  }

  compareString(node: PostgresNode, op: Comparison, value: string): Condition {
    if (op === '=') return this.equalsJson(node, value);
    return sql`(json_typeof(${node.value}) = 'string' AND ${this.#text(node)} ${operator(op)} CAST(${value} AS text))`;
  }

  compareNumber(node: PostgresNode, op: Comparison, value: number): Condition {
    // CASE, not AND: PostgreSQL may evaluate the cast before the type test, and the cast fails on other text.
    return sql`CASE WHEN json_typeof(${node.value}) = 'number' THEN CAST(${node.value} #>> '{}' AS numeric) END ${operator(op)} ${this.number(value)}`;
  }

  equalsBoolean(node: PostgresNode, value: boolean): Condition {
    return this.equalsJson(node, value);
  }

  containsText(node: PostgresNode, part: string): Condition {
    return and(sql`json_typeof(${node.value}) = 'string'`, this.textContains(sql`(${node.value} #>> '{}')`, part));
  }

  startsWithText(node: PostgresNode, prefix: string): Condition {
    return and(sql`json_typeof(${node.value}) = 'string'`, this.textStartsWith(sql`(${node.value} #>> '{}')`, prefix));
  }

  hasStringElement(node: PostgresNode, value: string): Condition {
    // @> of a one-element array: some element at the top level equals the string (not one inside a nested array).
    return sql`(json_typeof(${node.value}) = 'array' AND CAST(${node.value} AS jsonb) @> CAST(${JSON.stringify([value])} AS jsonb))`;
  }

  equalsJson(node: PostgresNode, value: JsonValue): Condition {
    if (holdsNul(value)) return false;
    return sql`CAST(${node.value} AS jsonb) = CAST(${JSON.stringify(value)} AS jsonb)`;
  }

  equalsScalarIn(node: PostgresNode, values: readonly JsonScalar[]): Condition {
    const texts = unique(values.filter((value) => !holdsNul(value)).map((value) => JSON.stringify(value)));
    if (texts.length === 0) return false;
    return sql`CAST(${node.value} AS jsonb) = ANY(CAST(${texts} AS jsonb[]))`;
  }
}

// MySQL and MariaDB --------------------------------------------------------------

/** A JSON value in MySQL or MariaDB: a JSON expression (JSON_EXTRACT's result; NULL when absent). */
interface MysqlNode {
  value: Sql;
}

/** JSON_TYPE's names for numbers (MySQL 8 has four; MariaDB says INTEGER or DOUBLE). */
const MYSQL_NUMBER_TYPES = sql`('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')`;

/**
 * MySQL 8 and MariaDB 10.6 and later: JSON_EXTRACT with a path whose labels
 * are JSON string literals (`$."a\"b"`), bound as a parameter. Both read
 * `$[0]` of a non-array as the value itself, so a canonical index steps into
 * an array only after JSON_TYPE says the value is one. Strings compare as
 * BINARY (their UTF-8 bytes: code point order, no pad space), numbers as
 * DOUBLE (correctly rounded from the shortest text JavaScript writes).
 */
export class MysqlDialect extends PartwiseDialect<MysqlNode> {
  readonly holdsNul = true;

  textContains(text: Sql, part: string): Condition {
    return sql`LOCATE(CAST(${part} AS BINARY), CAST(${text} AS BINARY)) > 0`;
  }

  textStartsWith(text: Sql, prefix: string): Condition {
    return sql`LOCATE(CAST(${prefix} AS BINARY), CAST(${text} AS BINARY)) = 1`;
  }

  textIn(column: Sql, values: readonly string[]): Condition {
    if (values.length === 0) return false;
    return sql`${column} IN (${sql.join(values)})`;
  }

  number(value: number): Sql {
    return sql`CAST(${String(value)} AS DOUBLE)`;
  }

  numberIn(column: Sql, values: readonly number[]): Condition {
    if (values.length === 0) return false;
    return sql`${column} IN (${sql.join(values.map((value) => this.number(value)))})`;
  }

  documentEquals(document: Sql, value: JsonValue): Condition {
    return sql`CAST(${document} AS BINARY) = CAST(${JSON.stringify(value)} AS BINARY)`;
  }

  root(document: Sql): MysqlNode {
    return { value: document };
  }

  atPath(document: Sql, keys: readonly string[], test: (node: MysqlNode) => Condition): Condition {
    return test({ value: this.#resolve(document, keys, true) });
  }

  /**
   * The value at `keys` under `base` (a JSON expression), NULL when the path
   * does not resolve. Keys between those starting with "-" form one path,
   * decided step by step: each canonical index doubles the choices (an array
   * or not), except as the first key under an object.
   */
  #resolve(base: Sql, keys: readonly string[], baseIsObject: boolean): Sql {
    if (keys.length === 0) return base;
    const dash = keys.findIndex((key) => key.startsWith('-'));
    const run = dash < 0 ? keys : keys.slice(0, dash);
    let value = base;
    if (run.length > 0) {
      const build = (prefix: string, depth: number): Sql => {
        if (depth === run.length) return sql`${prefix}`;
        const key = run[depth]!;
        const asKey = build(`${prefix}.${JSON.stringify(key)}`, depth + 1);
        if ((depth === 0 && baseIsObject) || !ARRAY_INDEX.test(key)) return asKey;
        const index = arrayIndexOf(key);
        const asIndex = index === undefined ? sql`NULL` : build(`${prefix}[${index}]`, depth + 1);
        return sql`CASE WHEN JSON_TYPE(JSON_EXTRACT(${base}, ${prefix})) = 'ARRAY' THEN ${asIndex} ELSE ${asKey} END`;
      };
      value = sql`JSON_EXTRACT(${base}, ${build('$', 0)})`;
    }
    if (dash < 0) return value;
    return this.#resolve(this.#member(value, keys[dash]!), keys.slice(dash + 1), false);
  }

  /**
   * The value of an object's key. MariaDB (10.11) finds no key starting with
   * "-" by path, quoted or escaped, so such a key is looked up among
   * JSON_KEYS, whose order is the order of the `$.*` values.
   */
  #member(value: Sql, key: string): Sql {
    if (!key.startsWith('-')) return sql`JSON_EXTRACT(${value}, ${`$.${JSON.stringify(key)}`})`;
    const alias = this.alias();
    return sql`(SELECT JSON_EXTRACT(JSON_EXTRACT(${value}, '$.*'), CONCAT('$[', ${alias}.position - 1, ']')) FROM JSON_TABLE(JSON_KEYS(${value}), '$[*]' COLUMNS (position FOR ORDINALITY, member_key JSON PATH '$')) AS ${alias} WHERE CAST(JSON_UNQUOTE(${alias}.member_key) AS BINARY) = CAST(${key} AS BINARY))`;
  }

  isType(node: MysqlNode, type: 'null' | 'array' | 'object'): Condition {
    return sql`JSON_TYPE(${node.value}) = ${sql.lit(type.toUpperCase())}`;
  }

  notNull(node: MysqlNode): Condition {
    return sql`JSON_TYPE(${node.value}) <> 'NULL'`;
  }

  #text(node: MysqlNode): Sql {
    return sql`CAST(JSON_UNQUOTE(${node.value}) AS BINARY)`;
  }

  #double(node: MysqlNode): Sql {
    return sql`CASE WHEN JSON_TYPE(${node.value}) IN ${MYSQL_NUMBER_TYPES} THEN CAST(${node.value} AS DOUBLE) END`;
  }

  compareString(node: MysqlNode, op: Comparison, value: string): Condition {
    return sql`(JSON_TYPE(${node.value}) = 'STRING' AND ${this.#text(node)} ${operator(op)} CAST(${value} AS BINARY))`;
  }

  compareNumber(node: MysqlNode, op: Comparison, value: number): Condition {
    return sql`${this.#double(node)} ${operator(op)} ${this.number(value)}`;
  }

  equalsBoolean(node: MysqlNode, value: boolean): Condition {
    return sql`(JSON_TYPE(${node.value}) = 'BOOLEAN' AND ${this.#text(node)} = ${sql.lit(value ? 'true' : 'false')})`;
  }

  containsText(node: MysqlNode, part: string): Condition {
    return and(sql`JSON_TYPE(${node.value}) = 'STRING'`, this.textContains(sql`JSON_UNQUOTE(${node.value})`, part));
  }

  startsWithText(node: MysqlNode, prefix: string): Condition {
    return and(sql`JSON_TYPE(${node.value}) = 'STRING'`, this.textStartsWith(sql`JSON_UNQUOTE(${node.value})`, prefix));
  }

  hasStringElement(node: MysqlNode, value: string): Condition {
    // JSON_TABLE over the top-level elements: JSON_CONTAINS would also find the string inside a nested array.
    const alias = this.alias();
    const element = sql`${alias}.element`;
    return sql`(JSON_TYPE(${node.value}) = 'ARRAY' AND EXISTS (SELECT 1 FROM JSON_TABLE(${node.value}, '$[*]' COLUMNS (element JSON PATH '$')) AS ${alias} WHERE JSON_TYPE(${element}) = 'STRING' AND CAST(JSON_UNQUOTE(${element}) AS BINARY) = CAST(${value} AS BINARY)))`;
  }

  protected stringIn(node: MysqlNode, values: readonly string[]): Condition {
    return sql`(JSON_TYPE(${node.value}) = 'STRING' AND ${this.#text(node)} IN (${sql.join(values.map((value) => sql`CAST(${value} AS BINARY)`))}))`;
  }

  protected numberValueIn(node: MysqlNode, values: readonly number[]): Condition {
    return sql`${this.#double(node)} IN (${sql.join(values.map((value) => this.number(value)))})`;
  }

  protected step(node: MysqlNode, key: string | number, test: (child: MysqlNode) => Condition): Condition {
    // Only called on a value already tested to be an array (number keys) or an object (string keys).
    return test({ value: typeof key === 'number' ? sql`JSON_EXTRACT(${node.value}, ${`$[${key}]`})` : this.#member(node.value, key) });
  }

  protected lengthIs(node: MysqlNode, length: number): Condition {
    return sql`JSON_LENGTH(${node.value}) = ${length}`;
  }
}
