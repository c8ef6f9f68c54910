import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RULE_ENCODINGS_KEYWORD, UNCHECKED_RULES_KEYWORD, define, metasourceRegistry, withRules } from './registry';

describe('define', () => {
  it('registers a schema under its id and refuses the id twice', () => {
    const schema = define('RegistryTestOnce', () => z.string());
    expect(metasourceRegistry._idmap.get('RegistryTestOnce')).toBe(schema);
    expect(() => define('RegistryTestOnce', () => z.string())).toThrow('registered twice');
    metasourceRegistry.remove(schema);
  });
});

describe('withRules', () => {
  const schema = withRules(
    z.strictObject({ min: z.int(), max: z.int(), locked: z.boolean().default(false) }),
    [
      { name: 'min_not_above_max', message: 'min must not be above max', path: ['min'], holds: (v) => v.min <= v.max },
      {
        name: 'locked_needs_zero',
        message: 'locked needs min 0',
        path: ['locked'],
        holds: (v) => !v.locked || v.min === 0,
        jsonSchema: { if: { properties: { locked: { const: true } }, required: ['locked'] }, then: { properties: { min: { const: 0 } } } },
      },
    ],
    { description: 'test object' },
  );

  it('reports each broken rule at its path with the rule name', () => {
    expect(schema.safeParse({ min: 2, max: 1, locked: true }).error?.issues).toMatchObject([
      { path: ['min'], code: 'custom', message: 'min must not be above max', params: { rule: 'min_not_above_max' } },
      { path: ['locked'], code: 'custom', message: 'locked needs min 0', params: { rule: 'locked_needs_zero' } },
    ]);
    expect(schema.parse({ min: 0, max: 1 })).toEqual({ min: 0, max: 1, locked: false });
  });

  it('records the encoded rule for the generator and lists the other as unchecked', () => {
    const meta = z.globalRegistry.get(schema)!;
    expect(meta.description).toBe('test object');
    expect(meta[UNCHECKED_RULES_KEYWORD]).toEqual([{ name: 'min_not_above_max', message: 'min must not be above max' }]);
    expect(meta[RULE_ENCODINGS_KEYWORD]).toEqual([
      {
        $comment: 'rule locked_needs_zero: locked needs min 0',
        if: { properties: { locked: { const: true } }, required: ['locked'] },
        then: { properties: { min: { const: 0 } } },
      },
    ]);
  });
});
