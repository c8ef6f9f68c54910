/** The conformance kit on the postgres store: every audit, each store on a table of its own in a database made for this file. */
import { registerSqlConformance } from './sql-conformance';

registerSqlConformance('postgres');
