/**
 * Splitting an operator's migration script into statements, in each
 * dialect's lexical rules (sql/migrate-script.ts). Running scripts on the
 * servers is tested in migrate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ScriptError, splitSqlScript } from './migrate-script';

describe('splitSqlScript', () => {
  it('splits at top-level semicolons, trims, and leaves out empty statements and those holding only comments', () => {
    for (const driver of ['sqlite', 'postgres', 'mysql'] as const) {
      expect(splitSqlScript('  CREATE TABLE a (x int);\n\n;  DROP TABLE b ;;\n-- only a comment\n;', driver)).toEqual([
        'CREATE TABLE a (x int)',
        'DROP TABLE b',
      ]);
      expect(splitSqlScript('SELECT 1', driver)).toEqual(['SELECT 1']);
      expect(splitSqlScript('  \n -- nothing\n /* at all */ ', driver)).toEqual([]);
    }
  });

  it('keeps semicolons inside strings, quoted identifiers and comments, and comments inside a statement', () => {
    expect(splitSqlScript(`INSERT INTO t VALUES ('a;b', 'it''s;'); SELECT "x;y" FROM t /* c; d */ WHERE a = 1`, 'postgres')).toEqual([
      `INSERT INTO t VALUES ('a;b', 'it''s;')`,
      `SELECT "x;y" FROM t /* c; d */ WHERE a = 1`,
    ]);
    expect(splitSqlScript('SELECT `a;b`, [c;d] FROM t; SELECT 2', 'sqlite')).toEqual(['SELECT `a;b`, [c;d] FROM t', 'SELECT 2']);
  });

  it('reads backslash escapes in MySQL strings and PostgreSQL E-strings only', () => {
    expect(splitSqlScript(`SELECT 'a\\';b'; SELECT "c\\";d"`, 'mysql')).toEqual([`SELECT 'a\\';b'`, `SELECT "c\\";d"`]);
    expect(splitSqlScript(`SELECT E'a\\';b'; SELECT 'c\\'; SELECT 3`, 'postgres')).toEqual([
      `SELECT E'a\\';b'`,
      `SELECT 'c\\'`,
      'SELECT 3',
    ]);
    // In standard strings a backslash is a character: the quote after it closes the string.
    expect(splitSqlScript(`SELECT 'c\\'; SELECT 3`, 'sqlite')).toEqual([`SELECT 'c\\'`, 'SELECT 3']);
  });

  it('knows each dialect\u2019s comments: -- (MySQL: followed by white space), # on MySQL, nested block comments on PostgreSQL', () => {
    expect(splitSqlScript('SELECT 1 --; not a comment on MySQL\n; SELECT 2', 'mysql')).toEqual([
      'SELECT 1 --',
      'not a comment on MySQL',
      'SELECT 2',
    ]);
    expect(splitSqlScript('SELECT 1 -- a comment; still\n; SELECT 2', 'mysql')).toEqual(['SELECT 1 -- a comment; still', 'SELECT 2']);
    expect(splitSqlScript('SELECT 1 # a comment; still\n; SELECT 2', 'mysql')).toEqual(['SELECT 1 # a comment; still', 'SELECT 2']);
    expect(splitSqlScript('SELECT 1 /* outer /* inner; */ still; */; SELECT 2', 'postgres')).toEqual([
      'SELECT 1 /* outer /* inner; */ still; */',
      'SELECT 2',
    ]);
    expect(splitSqlScript('SELECT 1 /* outer /* inner; */; SELECT 2', 'sqlite')).toEqual(['SELECT 1 /* outer /* inner; */', 'SELECT 2']);
  });

  it('keeps PostgreSQL dollar-quoted bodies whole, and $1 parameters are no quotes', () => {
    const fn = 'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN; RETURN 1; END $body$ LANGUAGE plpgsql';
    expect(splitSqlScript(`${fn}; SELECT $$a;b$$, $1`, 'postgres')).toEqual([fn, 'SELECT $$a;b$$, $1']);
  });

  it('keeps a SQLite trigger and a PostgreSQL BEGIN ATOMIC body whole up to their END', () => {
    const trigger = 'CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN UPDATE c SET n = n + 1; INSERT INTO log VALUES (1); END';
    expect(splitSqlScript(`${trigger}; DROP TABLE x`, 'sqlite')).toEqual([trigger, 'DROP TABLE x']);
    const atomic = 'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END';
    expect(splitSqlScript(`${atomic};SELECT 3`, 'postgres')).toEqual([atomic, 'SELECT 3']);
  });

  it('refuses a quote or comment left open, naming where it opened', () => {
    expect(() => splitSqlScript("SELECT 'open", 'postgres')).toThrow(new ScriptError("a ' quote opened at character 8 is never closed"));
    expect(() => splitSqlScript('SELECT 1 /* open', 'mysql')).toThrow(new ScriptError('a comment opened at character 10 is never closed'));
    expect(() => splitSqlScript('SELECT $x$ open', 'postgres')).toThrow(
      new ScriptError('a $x$ quote opened at character 8 is never closed'),
    );
    expect(() => splitSqlScript('SELECT [open', 'sqlite')).toThrow(new ScriptError('a [ opened at character 8 is never closed'));
  });

  it('refuses statements that control transactions: the store runs the script in its own', () => {
    for (const statement of ['BEGIN', 'COMMIT', 'rollback', 'START TRANSACTION', 'SAVEPOINT s', 'RELEASE s', 'END']) {
      expect(() => splitSqlScript(`CREATE TABLE a (x int); ${statement}; DROP TABLE a`, 'sqlite')).toThrow(
        /^statement 2 controls a transaction/,
      );
    }
    // A comment before it changes nothing; a name that merely starts like one is no such statement.
    expect(() => splitSqlScript('/* first */ COMMIT', 'postgres')).toThrow(ScriptError);
    expect(splitSqlScript('SELECT * FROM begin_dates; UPDATE ending SET x = 1', 'postgres')).toEqual([
      'SELECT * FROM begin_dates',
      'UPDATE ending SET x = 1',
    ]);
  });
});
