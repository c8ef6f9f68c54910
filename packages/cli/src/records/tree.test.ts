import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METADATA_FILE_LAYOUT } from '@metasource/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFromTreePath, keyString, treePath, walkTree, type ItemKey, type TreeEntry } from './tree';

const platform: ItemKey = { tenantId: 'acme', scope: 'platform', type: 'object', namespace: 'crm', name: 'account' };
const system: ItemKey = { ...platform, scope: 'system' };
const user: ItemKey = { ...platform, scope: 'user', owner: 'jane@acme' };

describe('tree layout paths', () => {
  it('follow METADATA_FILE_LAYOUT for every scope', () => {
    const fill = (pattern: string, key: ItemKey) => pattern.replace(/<(\w+)>/g, (_, field: keyof ItemKey) => String(key[field]));
    expect(treePath(platform)).toBe(fill(METADATA_FILE_LAYOUT.platform, platform));
    expect(treePath(system)).toBe(fill(METADATA_FILE_LAYOUT.system, system));
    expect(treePath(user)).toBe(fill(METADATA_FILE_LAYOUT.user, user));
    expect(treePath(user)).toBe('acme/user/jane@acme/object/crm/account.json');
    expect(keyString(user)).toBe('acme/user/jane@acme/object/crm/account');
  });

  it('give every scope and owner of one name its own file', () => {
    const paths = [platform, system, user, { ...user, owner: 'joe@acme' }].map(treePath);
    expect(new Set(paths).size).toBe(4);
  });

  it('read back the key they were written from', () => {
    for (const key of [platform, system, user]) expect(keyFromTreePath(treePath(key).split('/'))).toEqual({ key });
  });

  it('refuse a path at the wrong depth, with another extension, or with a segment that is not a key field', () => {
    const error = (path: string) => {
      const parsed = keyFromTreePath(path.split('/'));
      return 'error' in parsed ? parsed.error : undefined;
    };
    expect(error('acme/platform/object/account.json')).toMatch(/wrong depth/);
    expect(error('acme/user/object/crm/account.json')).toMatch(/wrong depth/);
    expect(error('acme/platform/object/crm/account.yaml')).toMatch(/not a \.json file/);
    expect(error('acme/shared/object/crm/account.json')).toMatch(/not a scope/);
    expect(error('acme/platform/Object/crm/account.json')).toMatch(/not a type/);
    expect(error('acme/platform/object/crm/Account.json')).toMatch(/not a name/);
    expect(error('..acme/platform/object/crm/account.json')).toMatch(/not a tenant id/);
  });
});

describe('walkTree', () => {
  const root = mkdtempSync(join(tmpdir(), 'metasource-tree-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text = '{}') => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('yields every item file in code point order and a problem for everything else, skipping nothing', async () => {
    write('acme/platform/object/crm/b.json');
    write('acme/platform/object/crm/a.json');
    write('acme/user/jane@acme/view/crm/mine.json');
    write('acme/platform/object/crm/notes.txt');
    write('acme/platform/object/crm/.DS_Store');
    write('acme/platform/object/stray.json');
    write('acme/Platform/object/crm/x.json');
    mkdirSync(join(root, 'acme/platform/object/crm/nested.json'), { recursive: true });
    write('README.md');
    const entries: TreeEntry[] = [];
    for await (const entry of walkTree(root)) entries.push(entry);
    const files = entries.filter((entry) => entry.kind === 'file').map((entry) => entry.segments.join('/'));
    expect(files).toEqual(['acme/platform/object/crm/a.json', 'acme/platform/object/crm/b.json', 'acme/user/jane@acme/view/crm/mine.json']);
    const problems = Object.fromEntries(
      entries.flatMap((entry) => (entry.kind === 'problem' ? [[entry.segments.join('/'), entry.message]] : [])),
    );
    expect(Object.keys(problems).sort()).toEqual([
      'README.md',
      'acme/Platform',
      'acme/platform/object/crm/.DS_Store',
      'acme/platform/object/crm/nested.json',
      'acme/platform/object/crm/notes.txt',
      'acme/platform/object/stray.json',
    ]);
    expect(problems['README.md']).toMatch(/wrong depth/);
    expect(problems['acme/platform/object/crm/.DS_Store']).toMatch(/hidden/);
    expect(problems['acme/platform/object/crm/nested.json']).toMatch(/directory where item files belong/);
  });
});
