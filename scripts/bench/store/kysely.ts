/**
 * Kysely's `sql` tag, from the copy @metasource/store depends on (the
 * workspace root has no kysely of its own): for the few statements of the
 * benchmark that no query builder makes (ANALYZE), with the table name
 * quoted by Kysely.
 */
export { sql } from '../../../packages/store/node_modules/kysely/dist/index.js';
