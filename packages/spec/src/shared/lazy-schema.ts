import type { z } from 'zod';

/**
 * Why schemas are built on first use: every chained `.min()`, `.default()` or
 * `.meta()` clones, so the ~70 exported schemas are ~1,600 zod instances, and
 * building them at import cost more time and heap than importing zod itself.
 *
 * `lazySchema` returns at once an empty object whose prototype is a proxy.
 * The first property read, write or `in` test on it falls through to the
 * proxy, which builds the schema and turns the object itself into a clone of
 * it: the object gets the schema's prototype and zod initialises it with the
 * schema's definition (what `schema.clone()` does with a new object). From
 * then on it is an ordinary zod schema, so parsing goes through no proxy.
 * Identity is kept throughout: the object handed out at import is the schema
 * every other schema, the registry and every entry point refer to.
 *
 * Before first use, operations that look only at the object itself
 * (`Object.keys`, `Object.getOwnPropertyDescriptor`) see an empty object, and
 * `Object.getPrototypeOf` returns the proxy. Zod reads `_zod` first in every
 * operation (`instanceof` included), which builds the schema.
 */

interface Pending {
  readonly schema: object;
  readonly name: string;
  readonly build: () => z.ZodType;
  state: 'waiting' | 'building' | 'built';
}

/** Keyed by the proxy's target, which only the proxy holds. */
const pending = new WeakMap<object, Pending>();

/** The shape of zod's `$constructor` that `clone()` relies on: it initialises `this` from a definition. */
type ZodConstructor = (this: object, def: z.core.$ZodTypeDef) => unknown;

function materialize(target: object): object {
  const entry = pending.get(target)!;
  if (entry.state === 'built') return entry.schema;
  if (entry.state === 'building') {
    throw new Error(`${entry.name} is used while it is being built: its definition refers to it, directly or through another schema`);
  }
  entry.state = 'building';
  let built: z.ZodType;
  try {
    built = entry.build();
  } catch (error) {
    entry.state = 'waiting';
    throw error;
  }
  const schema = entry.schema as z.ZodType;
  Object.setPrototypeOf(schema, Object.getPrototypeOf(built));
  (built._zod.constr as unknown as ZodConstructor).call(schema, built._zod.def);
  if (schema._zod?.def !== built._zod.def) {
    throw new Error(`${entry.name}: this zod version does not initialise a schema in place; @metasource/spec needs zod ^4.6.7`);
  }
  // As in `clone()`: the built schema is the parent, so its metadata (description, examples) is inherited.
  schema._zod.parent = built;
  entry.state = 'built';
  return schema;
}

const BUILD_ON_FIRST_USE: ProxyHandler<object> = {
  get: (target, key, receiver) => Reflect.get(materialize(target), key, receiver),
  set: (target, key, value, receiver) => Reflect.set(materialize(target), key, value, receiver),
  has: (target, key) => Reflect.has(materialize(target), key),
};

/**
 * A schema that `build` creates on first use (see above). `name` appears in
 * the error thrown when the schema is used while it is being built.
 */
export function lazySchema<T extends z.ZodType>(name: string, build: () => T): T {
  const target = Object.create(null) as object;
  const schema = Object.create(new Proxy(target, BUILD_ON_FIRST_USE)) as T;
  pending.set(target, { schema, name, build, state: 'waiting' });
  return schema;
}
