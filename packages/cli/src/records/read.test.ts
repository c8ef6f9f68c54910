import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../errors';
import { readRecords, rereadRecord, type ReadItem, type RecordFileSource } from './read';

const root = mkdtempSync(join(tmpdir(), 'metasource-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const file = join(root, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

async function read(source: RecordFileSource): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const item of readRecords(source)) items.push(item);
  return items;
}

const problemsOf = (items: ReadItem[]) => items.flatMap((item) => (item.kind === 'invalid' ? item.problems.map(formatProblem) : []));

describe('readRecords', () => {
  it('reads JSON Lines line by line, each problem at its line and column, blank lines holding no record', async () => {
    const lines = [
      '{"type":"object","name":"a","payload":{}}',
      '',
      '{"type":"object","name":"b","payload":{"x":[1,2,]}}',
      '{"type":"object","name":"c","payload":{},"scope":"user"}',
      '{"type":"object","name":"D","payload":[]}',
      '{"type":"object","name":"e","payload":{}}\r',
    ];
    const column = (line: number, needle: string) => lines[line - 1]!.indexOf(needle) + 1;
    const path = write('a.jsonl', lines.join('\n'));
    const items = await read({ kind: 'jsonl', path, display: 'a.jsonl' });
    expect(
      items.filter((item) => item.kind === 'record').map((item) => item.kind === 'record' && [item.record.name, item.location.line]),
    ).toEqual([
      ['a', 1],
      ['e', 6],
    ]);
    expect(problemsOf(items)).toEqual([
      `a.jsonl:3:${column(3, ']}}')} expected a value (an object, array, string, number, true, false or null), found "]"`,
      'a.jsonl:4:1 owner owner is required when scope is "user" (rule user_scope_requires_owner)',
      expect.stringMatching(new RegExp(`^a\\.jsonl:5:${column(5, '"D"')} name must be a snake_case machine name`)),
      expect.stringMatching(new RegExp(`^a\\.jsonl:5:${column(5, '[]')} payload `)),
    ]);
  });

  it('reads a line again from its byte range, after lines holding multi-byte text', async () => {
    const path = write(
      'b.jsonl',
      '{"type":"object","name":"a","payload":{"label":"Größe 😀"}}\n{"type":"object","name":"b","payload":{"n":2}}\n',
    );
    const source: RecordFileSource = { kind: 'jsonl', path, display: 'b.jsonl' };
    const items = await read(source);
    const second = items[1]!;
    expect(second.kind).toBe('record');
    const again = await rereadRecord(second.location, source);
    expect(again?.payload).toEqual({ n: 2 });
  });

  it('fills a tree record key from its path and refuses a key field that disagrees with it', async () => {
    write('t1/acme/user/jane@acme/view/crm/mine.json', '{"payload": {"columns": ["name"]}, "tags": ["crm"]}');
    write('t1/acme/platform/object/crm/account.json', '{\n  "scope": "system",\n  "payload": {}\n}');
    const scopeColumn = '  "scope": "system",'.indexOf('"system"') + 1;
    const items = await read({ kind: 'tree', path: join(root, 't1'), display: 't1', format: 'record' });
    const mine = items.find((item) => item.kind === 'record');
    expect(mine?.kind === 'record' && mine.record).toMatchObject({
      tenantId: 'acme',
      scope: 'user',
      owner: 'jane@acme',
      type: 'view',
      namespace: 'crm',
      name: 'mine',
      tags: ['crm'],
    });
    expect(problemsOf(items)).toEqual([
      `t1/acme/platform/object/crm/account.json:2:${scopeColumn} scope must equal the path's scope "platform", or be left out`,
    ]);
  });

  it('takes a payload file whole as the payload, locating its problems in the file', async () => {
    write('t2/acme/platform/object/crm/account.json', '{"label": "Account", "fields": {"name": {"type": "text"}}}');
    write('t2/acme/platform/object/crm/broken.json', '[1, 2]');
    write('t2/globex/platform/view/crm/bad.json', '{\n  "ok": 1,\n  "bad": "\\ud800"\n}');
    const items = await read({ kind: 'tree', path: join(root, 't2'), display: 't2', format: 'payload' });
    const account = items.find((item) => item.kind === 'record');
    expect(account?.kind === 'record' && account.record).toMatchObject({
      tenantId: 'acme',
      scope: 'platform',
      state: 'active',
      tags: [],
      payload: { label: 'Account', fields: { name: { type: 'text' } } },
    });
    expect(problemsOf(items)).toEqual([
      't2/acme/platform/object/crm/broken.json:1:1 expected an object: a payload file holds a JSON object (the payload)',
      expect.stringMatching(/^t2\/globex\/platform\/view\/crm\/bad\.json:3:10 payload\.bad must be well-formed Unicode text/),
    ]);
  });

  it("warns about a checksum that is not the payload's, and keeps the record", async () => {
    const path = write('c.jsonl', `{"type":"object","name":"a","payload":{"x":1},"checksum":"sha256:${'0'.repeat(64)}"}\n`);
    const items = await read({ kind: 'jsonl', path, display: 'c.jsonl' });
    expect(items[0]?.kind).toBe('record');
    expect(items[0]?.kind === 'record' && items[0].warnings.map(formatProblem)).toEqual([
      expect.stringMatching(/^c\.jsonl:1:58 checksum warning: is not the checksum of the payload/),
    ]);
  });
});
