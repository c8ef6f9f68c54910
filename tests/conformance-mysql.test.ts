/** The conformance kit on the mysql store: every audit, each store on a table of its own in a database made for this file. */
import { describe } from 'vitest';
import { registerSqlConformance } from './sql-conformance';

describe('mysql store', () => registerSqlConformance('mysql'));
