import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { issuesOf, type Path } from '../testing';
import { batchSize, transactionOverrides, transactionSettings, versionNumber } from './fields';
import { MAX_SAFE_COUNT } from './limits';

describe('versionNumber', () => {
  const version = versionNumber('Version stored now.', 4);

  it('accepts 1 to 2^53 - 1 and keeps its description and example', () => {
    expect(version.parse(1)).toBe(1);
    expect(version.parse(MAX_SAFE_COUNT)).toBe(MAX_SAFE_COUNT);
    expect(version.meta()).toEqual({ description: 'Version stored now.', examples: [4] });
    expect(versionNumber('x').meta()?.examples).toEqual([3]);
  });

  it.each<[string, unknown, string]>([
    ['0', 0, 'too_small'],
    ['-1', -1, 'too_small'],
    ['1.5', 1.5, 'invalid_type'],
    ['"2"', '2', 'invalid_type'],
    ['2**53', 2 ** 53, 'too_big'],
    ['NaN', Number.NaN, 'invalid_type'],
  ])('rejects %s', (_label, input, code) => {
    expect(issuesOf(version, input)).toEqual([{ path: [], code }]);
  });

  it('emits the same JSON Schema wherever it is used', () => {
    expect(z.toJSONSchema(version, { io: 'input' })).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: MAX_SAFE_COUNT,
      description: 'Version stored now.',
    });
  });
});

describe('batchSize', () => {
  const field = batchSize('Items written per statement', 'Larger batches hold locks longer.');

  it('defaults to 100 and states its bounds after what it batches', () => {
    expect(field.parse(undefined)).toBe(100);
    expect(field.meta()).toEqual({
      description: 'Items written per statement, 1 to 10,000; default 100. Larger batches hold locks longer.',
      examples: [500],
    });
    expect(batchSize('Records written per statement').meta()?.description).toBe('Records written per statement, 1 to 10,000; default 100.');
  });

  it.each<[string, unknown, string]>([
    ['0', 0, 'too_small'],
    ['10_001', 10_001, 'too_big'],
    ['1.5', 1.5, 'invalid_type'],
    ['"10"', '10', 'invalid_type'],
  ])('rejects %s', (_label, input, code) => {
    expect(issuesOf(field, input)).toEqual([{ path: [], code }]);
  });

  it('accepts the bounds', () => {
    expect(field.parse(1)).toBe(1);
    expect(field.parse(10_000)).toBe(10_000);
  });
});

describe('transactionSettings and transactionOverrides', () => {
  const settings = z.strictObject(transactionSettings());
  const overrides = z.strictObject(transactionOverrides());

  it('fill every setting in the driver form', () => {
    expect(settings.parse({})).toEqual({ isolationLevel: 'read_committed', timeoutMs: 30_000 });
  });

  it('fill nothing in the override form', () => {
    expect(overrides.parse({})).toEqual({});
    expect(overrides.parse({ isolationLevel: 'serializable' })).toEqual({ isolationLevel: 'serializable' });
  });

  it.each([
    ['settings', settings],
    ['overrides', overrides],
  ] as const)('%s: share the bounds', (_label, schema) => {
    const rows: [unknown, Path, string][] = [
      [{ timeoutMs: 0 }, ['timeoutMs'], 'too_small'],
      [{ timeoutMs: 3_600_001 }, ['timeoutMs'], 'too_big'],
      [{ timeoutMs: 1.5 }, ['timeoutMs'], 'invalid_type'],
      [{ isolationLevel: 'snapshot' }, ['isolationLevel'], 'invalid_value'],
    ];
    for (const [input, path, code] of rows) expect(issuesOf(schema, input)).toEqual([{ path, code }]);
    expect(schema.parse({ timeoutMs: 3_600_000 }).timeoutMs).toBe(3_600_000);
  });

  it('describe the same fields, each form saying where an absent value comes from', () => {
    const a = transactionSettings();
    const b = transactionOverrides();
    expect(a.timeoutMs.meta()?.description).toBe(
      'Milliseconds the transaction may run before it is rolled back, 1 to 3,600,000; default 30,000.',
    );
    expect(b.timeoutMs.meta()?.description).toBe(
      "Milliseconds the transaction may run before it is rolled back, 1 to 3,600,000. Absent: the driver's transactions.timeoutMs.",
    );
    expect(a.isolationLevel.meta()?.description).toBe('Isolation level of the transaction. Default read_committed.');
    expect(b.isolationLevel.meta()?.description).toBe(
      "Isolation level of the transaction. Absent: the driver's transactions.isolationLevel.",
    );
  });

  it('types: settings are filled on output, overrides stay optional', () => {
    expectTypeOf<z.output<typeof settings>>().toEqualTypeOf<{
      isolationLevel: 'read_uncommitted' | 'read_committed' | 'repeatable_read' | 'serializable';
      timeoutMs: number;
    }>();
    expectTypeOf<z.output<typeof overrides>['timeoutMs']>().toEqualTypeOf<number | undefined>();
  });
});
