/** Kysely for the fault tests' own statements: the module the store and the test databases run on. */
export { sql, type Kysely, type RawBuilder } from 'kysely';
