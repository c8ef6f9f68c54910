/**
 * Driver errors in the store's terms. A SQL store needs to know what kind of
 * failure a driver reported (a taken unique key becomes already_exists, a
 * serialization failure or deadlock is retried, a lost connection is
 * unavailable), and nothing else: the driver's message is never passed on.
 * PostgreSQL quotes key values in its details, MySQL and MariaDB quote the
 * duplicate entry and the SQL near a syntax error, and a failed connection
 * can quote the connection string, so a message could carry a payload value,
 * a filter value or a password (R43, R44). What reaches a caller is the
 * driver's error code, which names a condition and never holds a value.
 *
 * The kinds are read from the codes each driver documents:
 * - PostgreSQL: the SQLSTATE in `code` (pg's DatabaseError, which also has
 *   `severity`);
 * - MySQL and MariaDB: the server error number in `errno` with its
 *   `sqlState` (mysql2), or a client-side code such as
 *   PROTOCOL_CONNECTION_LOST;
 * - SQLite: the extended result code in `code` (better-sqlite3's
 *   SqliteError, e.g. SQLITE_CONSTRAINT_UNIQUE);
 * - Node's network and TLS errors (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID);
 * - the pool of sql/connect.ts (METASOURCE_POOL_TIMEOUT, METASOURCE_POOL_CLOSED).
 * An error without a code of its own is classified by its `cause` (and the
 * first of an AggregateError's `errors`), as Node and pg wrap the original.
 */
import { MetadataStoreFailure } from '../base/failure';

/** What kind of failure a driver reported. */
export type DriverErrorKind =
  'unique_violation' | 'serialization_failure' | 'deadlock' | 'lock_timeout' | 'statement_timeout' | 'connection' | 'other';

/** Codes of the connection pool in sql/connect.ts: no connection became free in time, or the pool was closed. */
export const POOL_TIMEOUT_CODE = 'METASOURCE_POOL_TIMEOUT';
export const POOL_CLOSED_CODE = 'METASOURCE_POOL_CLOSED';

/** An error of the connection pool, with one of the two codes above. */
export class PoolError extends Error {
  override readonly name = 'PoolError';
  readonly code: typeof POOL_TIMEOUT_CODE | typeof POOL_CLOSED_CODE;

  constructor(code: typeof POOL_TIMEOUT_CODE | typeof POOL_CLOSED_CODE, message: string) {
    super(message);
    this.code = code;
  }
}

/** How deep a chain of causes is followed; guards against cycles. */
const MAX_CAUSE_DEPTH = 8;

/** A code that can be quoted in a message: it names a condition and cannot carry a value. */
const SAFE_CODE = /^[A-Za-z0-9][A-Za-z0-9_]{0,63}$/;

/** PostgreSQL SQLSTATEs that mean the session cannot be used, besides class 08 (connection exception). */
const POSTGRES_CONNECTION_STATES = new Set([
  '57P01', // admin_shutdown: the backend was terminated
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout: the server closed the session
  '53300', // too_many_connections
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name: the database does not exist
]);

/** MySQL and MariaDB server errors (errno) that mean no usable session, besides SQLSTATE class 08. */
const MYSQL_CONNECTION_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1042, // ER_BAD_HOST_ERROR
  1043, // ER_HANDSHAKE_ERROR
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1049, // ER_BAD_DB_ERROR: the database does not exist
  1053, // ER_SERVER_SHUTDOWN
  1129, // ER_HOST_IS_BLOCKED
  1130, // ER_HOST_NOT_PRIVILEGED
  1152, // ER_ABORTING_CONNECTION
  1158, // ER_NET_READ_ERROR
  1159, // ER_NET_READ_INTERRUPTED
  1160, // ER_NET_ERROR_ON_WRITE
  1161, // ER_NET_WRITE_INTERRUPTED
  1184, // ER_NEW_ABORTING_CONNECTION
  1251, // ER_NOT_SUPPORTED_AUTH_MODE
  1927, // ER_CONNECTION_KILLED (MariaDB)
  3159, // ER_SECURE_TRANSPORT_REQUIRED
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
]);

/** Node's socket and name resolution errors. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

/** OpenSSL's certificate verification codes, as Node reports them. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
]);

/**
 * pg reports a few connection failures without a code; they are recognised by
 * their fixed text. Only errors that carry no code are matched, and the text
 * is only read here, never repeated.
 */
const PG_UNCODED_CONNECTION_ERRORS = [
  /^Connection terminated/,
  /is not queryable/,
  /^The server does not support SSL connections/,
  /^timeout exceeded when trying to connect/,
];

type ErrorFields = { code?: unknown; errno?: unknown; sqlState?: unknown; severity?: unknown; syscall?: unknown };

/** The error and the errors it wraps (`cause`, an AggregateError's first error), outermost first. */
function errorChain(error: unknown): object[] {
  const chain: object[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < MAX_CAUSE_DEPTH && !chain.includes(current)) {
    chain.push(current);
    const { cause, errors } = current as { cause?: unknown; errors?: unknown };
    current = cause !== undefined ? cause : Array.isArray(errors) ? errors[0] : undefined;
  }
  return chain;
}

function isPostgresError(fields: ErrorFields): fields is ErrorFields & { code: string } {
  return typeof fields.severity === 'string' && typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code);
}

function isMysqlServerError(fields: ErrorFields): fields is ErrorFields & { errno: number; sqlState: string } {
  return typeof fields.errno === 'number' && fields.errno > 0 && typeof fields.sqlState === 'string';
}

function classifyPostgres(state: string): DriverErrorKind {
  switch (state) {
    case '23505':
      return 'unique_violation';
    case '40001':
      return 'serialization_failure';
    case '40P01':
      return 'deadlock';
    case '55P03':
      return 'lock_timeout';
    case '57014':
      return 'statement_timeout';
  }
  return state.startsWith('08') || POSTGRES_CONNECTION_STATES.has(state) ? 'connection' : 'other';
}

function classifyMysql(errno: number, sqlState: string): DriverErrorKind {
  switch (errno) {
    case 1062: // ER_DUP_ENTRY
    case 1586: // ER_DUP_ENTRY_WITH_KEY_NAME
    case 1022: // ER_DUP_KEY
      return 'unique_violation';
    case 1213: // ER_LOCK_DEADLOCK
      return 'deadlock';
    case 1205: // ER_LOCK_WAIT_TIMEOUT (also MariaDB's NOWAIT)
    case 3572: // ER_LOCK_NOWAIT (MySQL 8)
      return 'lock_timeout';
    case 1969: // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
    case 3024: // ER_QUERY_TIMEOUT (MySQL max_execution_time)
      return 'statement_timeout';
    case 1020: // ER_CHECKREAD (MariaDB snapshot isolation: the row changed since the transaction read it)
      return 'serialization_failure';
  }
  if (sqlState === '40001') return 'serialization_failure';
  return sqlState.startsWith('08') || MYSQL_CONNECTION_ERRNOS.has(errno) ? 'connection' : 'other';
}

function classifySqlite(code: string): DriverErrorKind {
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return 'unique_violation';
    // In WAL mode, a read transaction that tries to write after another
    // connection committed: only a new transaction can succeed.
    case 'SQLITE_BUSY_SNAPSHOT':
      return 'serialization_failure';
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
    return 'lock_timeout';
  }
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN_') || code === 'SQLITE_NOTADB') return 'connection';
  return 'other';
}

/** The kind of one error of the chain, or undefined when it carries nothing to classify it by. */
function classifyOne(error: object): DriverErrorKind | undefined {
  if (error instanceof MetadataStoreFailure) return error.error.code === 'unavailable' ? 'connection' : 'other';
  const fields = error as ErrorFields;
  if (isPostgresError(fields)) return classifyPostgres(fields.code);
  if (isMysqlServerError(fields)) return classifyMysql(fields.errno, fields.sqlState);
  const { code } = fields;
  if (typeof code === 'string' && code !== '') {
    if (code.startsWith('SQLITE_')) return classifySqlite(code);
    if (code === POOL_TIMEOUT_CODE || code === POOL_CLOSED_CODE) return 'connection';
    if (NETWORK_CODES.has(code) || CERTIFICATE_CODES.has(code)) return 'connection';
    // mysql2's client-side failures: PROTOCOL_CONNECTION_LOST, HANDSHAKE_NO_SSL_SUPPORT, ...
    if (code.startsWith('PROTOCOL_') || code.startsWith('HANDSHAKE_')) return 'connection';
    if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return 'connection';
    // A Unix-domain socket that is missing or not ours.
    if ((code === 'ENOENT' || code === 'EACCES') && fields.syscall === 'connect') return 'connection';
    return 'other';
  }
  if (code === undefined && error instanceof Error && PG_UNCODED_CONNECTION_ERRORS.some((pattern) => pattern.test(error.message))) {
    return 'connection';
  }
  return undefined;
}

/**
 * The kind of failure a driver error reports: the first error in its chain
 * (the error, then its causes) that carries a code decides. Anything not
 * recognised is `other`.
 */
export function classifyDriverError(error: unknown): DriverErrorKind {
  for (const link of errorChain(error)) {
    const kind = classifyOne(link);
    if (kind !== undefined) return kind;
  }
  return 'other';
}

/**
 * The driver's code for an error, as it may appear in a message: the first
 * code in the chain that looks like a code (letters, digits, underscores),
 * with the server error number for MySQL and MariaDB (`ER_DUP_ENTRY/1062`).
 * Undefined when no error in the chain has one.
 */
export function driverErrorCode(error: unknown): string | undefined {
  for (const link of errorChain(error)) {
    if (link instanceof MetadataStoreFailure) return undefined;
    const fields = link as ErrorFields;
    const code = typeof fields.code === 'string' && SAFE_CODE.test(fields.code) ? fields.code : undefined;
    if (isMysqlServerError(fields)) return code !== undefined ? `${code}/${fields.errno}` : String(fields.errno);
    if (code !== undefined) return code;
  }
  return undefined;
}

const KIND_DESCRIPTIONS: Record<DriverErrorKind, string> = {
  unique_violation: 'a unique key is already taken',
  serialization_failure: 'the transaction conflicted with a concurrent one (serialization failure)',
  deadlock: 'the transaction was ended to break a deadlock',
  lock_timeout: 'a lock was not granted in time',
  statement_timeout: 'the statement ran longer than the statement timeout',
  connection: 'the database could not be reached or the connection was lost',
  other: 'the database reported an error',
};

/**
 * The typed error for a driver error: `what` says what failed (a phrase
 * without values, such as "connecting to datasource metadata_db (PostgreSQL
 * at db.internal:5432, database metasource)" or "reading the change feed"),
 * followed by the kind of failure and the driver's code. The driver's message
 * is never included: it can quote a value, the SQL or a password (R43, R44).
 * A MetadataStoreFailure (a secret that did not resolve, say) is returned as
 * it is.
 *
 * The code is always `unavailable`: the call did not complete on the
 * datasource and may succeed when tried again, which is what a caller can do
 * about a lost connection, a timeout, a deadlock or a serialization failure.
 * The other codes each promise something a driver error cannot supply
 * (already_exists carries the key and the stored version), so a store maps
 * the conditions it understands, a taken unique key above all, before it
 * falls back on this.
 */
export function driverFailure(error: unknown, what: string): MetadataStoreFailure {
  if (error instanceof MetadataStoreFailure) return error;
  const kind = classifyDriverError(error);
  const code = driverErrorCode(error);
  return new MetadataStoreFailure({
    code: 'unavailable',
    message: `${what} failed: ${KIND_DESCRIPTIONS[kind]} (${code === undefined ? 'the driver gave no error code' : `driver error code ${code}`})`,
  });
}
