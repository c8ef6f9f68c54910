import { types } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { RULE_ENCODINGS_KEYWORD, UNCHECKED_RULES_KEYWORD, define, metasourceRegistry, metasourceSchemas, withRules } from './registry';

describe('define', () => {
  it('registers a schema under its id and refuses the id twice', () => {
    const schema = define('RegistryTestOnce', () => z.string());
    expect(metasourceSchemas().get('RegistryTestOnce')).toBe(schema);
    expect(() => define('RegistryTestOnce', () => z.string())).toThrow('registered twice');
    metasourceRegistry.remove(schema);
    expect(metasourceSchemas().has('RegistryTestOnce')).toBe(false);
  });

  it('builds the schema on first use, once, and hands out the same object before and after', () => {
    const build = vi.fn(() =>
      z
        .int()
        .min(1)
        .meta({ description: 'a positive count', examples: [3] }),
    );
    const schema = define('RegistryTestLazy', build);
    expect(build).not.toHaveBeenCalled();

    expect(schema.safeParse(0).error?.issues).toMatchObject([{ path: [], code: 'too_small' }]);
    expect(schema.parse(2)).toBe(2);
    expect(build).toHaveBeenCalledTimes(1);
    expect(metasourceSchemas().get('RegistryTestLazy')).toBe(schema);
    expect(schema).toBeInstanceOf(z.ZodNumber);
    expect(Object.getPrototypeOf(schema)).toBe(Object.getPrototypeOf(z.int()));
    expect(schema.meta()).toEqual({ description: 'a positive count', examples: [3] });
    expect(schema.description).toBe('a positive count');
    metasourceRegistry.remove(schema);
  });

  it('builds on a property test or write, not only on a read', () => {
    const byIn = define('RegistryTestIn', () => z.string());
    expect('_zod' in byIn).toBe(true);
    const byWrite = define('RegistryTestWrite', () => z.string()) as z.ZodString & { note?: string };
    byWrite.note = 'kept';
    expect(byWrite.note).toBe('kept');
    expect(byWrite.parse('x')).toBe('x');
    metasourceRegistry.remove(byIn).remove(byWrite);
  });

  it('keeps references between schemas, so JSON Schema refers to a registered schema by $ref', () => {
    const registry = z.registry<{ id: string }>();
    const Inner = define('RegistryTestInner', () => z.string().min(2).meta({ description: 'inner' }));
    const Outer = define('RegistryTestOuter', () => z.strictObject({ a: Inner, b: Inner.optional() }).meta({ description: 'outer' }));
    registry.add(Inner, { id: 'Inner' }).add(Outer, { id: 'Outer' });
    const { schemas } = z.toJSONSchema(registry, { uri: (id) => `${id}.json` });
    expect(schemas.Outer).toMatchObject({
      description: 'outer',
      properties: { a: { $ref: 'Inner.json' }, b: { $ref: 'Inner.json' } },
      required: ['a'],
    });
    expect(schemas.Inner).toMatchObject({ type: 'string', minLength: 2, description: 'inner' });
    expect(Outer.parse({ a: 'xy' })).toEqual({ a: 'xy' });
    metasourceRegistry.remove(Inner).remove(Outer);
  });

  it('reports a schema used by its own definition, and builds once the definition is fixed', () => {
    let broken = true;
    const schema: z.ZodString = define('RegistryTestCycle', () => (broken ? schema.min(1) : z.string()));
    expect(() => schema.parse('x')).toThrow('RegistryTestCycleSchema is used while it is being built');
    broken = false;
    expect(schema.parse('x')).toBe('x');
    metasourceRegistry.remove(schema);
  });
});

describe('importing the package', () => {
  it('builds no schema: each waits behind its proxy prototype until first use', async () => {
    const spec: Record<string, unknown> = await import('../index');
    const schemas = Object.entries(spec).filter(([name]) => name.endsWith('Schema'));
    expect(schemas.length).toBeGreaterThan(20);
    const built = schemas.filter(([, schema]) => !types.isProxy(Object.getPrototypeOf(schema))).map(([name]) => name);
    expect(built).toEqual([]);
  });
});

describe('metasourceSchemas', () => {
  it('lists every schema by id in the order of definition, as a copy', () => {
    const first = define('RegistryTestFirst', () => z.boolean());
    const second = define('RegistryTestSecond', () => z.null());
    const ids = [...metasourceSchemas().keys()];
    expect(ids.slice(-2)).toEqual(['RegistryTestFirst', 'RegistryTestSecond']);
    expect(metasourceSchemas().get('RegistryTestSecond')).toBe(second);

    const copy = metasourceSchemas() as Map<string, z.ZodType>;
    copy.delete('RegistryTestFirst');
    expect(metasourceSchemas().get('RegistryTestFirst')).toBe(first);
    metasourceRegistry.remove(first).remove(second);
  });
});

describe('withRules', () => {
  const schema = withRules(
    z.strictObject({ min: z.int(), max: z.int(), locked: z.boolean().default(false) }),
    [
      { name: 'min_not_above_max', message: 'min must not be above max', path: ['min'], holds: (v) => v.min <= v.max },
      {
        name: 'locked_caps_max',
        message: 'locked needs max at most 10',
        path: ['locked'],
        holds: (v) => !v.locked || v.max <= 10,
        jsonSchema: {
          if: { properties: { locked: { const: true } }, required: ['locked'] },
          then: { properties: { max: { maximum: 10 } } },
        },
      },
    ],
    { description: 'test object' },
  );

  it('reports each broken rule at its path with the rule name', () => {
    expect(schema.safeParse({ min: 12, max: 11, locked: true }).error?.issues).toMatchObject([
      { path: ['min'], code: 'custom', message: 'min must not be above max', params: { rule: 'min_not_above_max' } },
      { path: ['locked'], code: 'custom', message: 'locked needs max at most 10', params: { rule: 'locked_caps_max' } },
    ]);
    expect(schema.parse({ min: 0, max: 1 })).toEqual({ min: 0, max: 1, locked: false });
  });

  it('records the encoded rule as declared (the generator adapts it to Ajv) and lists the other as unchecked', () => {
    const meta = z.globalRegistry.get(schema)!;
    expect(meta.description).toBe('test object');
    expect(meta[UNCHECKED_RULES_KEYWORD]).toEqual([{ name: 'min_not_above_max', message: 'min must not be above max' }]);
    expect(meta[RULE_ENCODINGS_KEYWORD]).toEqual([
      {
        $comment: 'rule locked_caps_max: locked needs max at most 10',
        if: { properties: { locked: { const: true } }, required: ['locked'] },
        then: { properties: { max: { maximum: 10 } } },
      },
    ]);
  });
});
