import type { MetadataStore } from '@metasource/spec';

/**
 * A store that behaves like `inner` except for the methods in `overrides`,
 * which receive the inner store as their last argument: the way every broken
 * store is built, so each one differs from a working store in one behaviour.
 */
export type Overrides = {
  [K in keyof MetadataStore as MetadataStore[K] extends (...args: never[]) => unknown ? K : never]?: MetadataStore[K] extends (
    ...args: infer A
  ) => infer R
    ? (inner: MetadataStore, ...args: A) => R
    : never;
};

export function breakStore(inner: MetadataStore, overrides: Overrides): MetadataStore {
  const call =
    <K extends keyof Overrides>(name: K) =>
    (...args: unknown[]) => {
      const override = overrides[name] as ((inner: MetadataStore, ...rest: unknown[]) => unknown) | undefined;
      if (override) return override(inner, ...args);
      return (inner[name] as (...rest: unknown[]) => unknown).apply(inner, args);
    };
  return {
    get profile() {
      return inner.profile;
    },
    open: call('open'),
    close: call('close'),
    migrate: call('migrate'),
    get: call('get'),
    query: call('query'),
    load: call('load'),
    save: call('save'),
    archive: call('archive'),
    restore: call('restore'),
    delete: call('delete'),
    bulk: call('bulk'),
    export: call('export'),
    import: call('import'),
    changes: call('changes'),
  } as MetadataStore;
}

/** A named broken store: what it breaks, which requirement that violates, and how to build it around a working store. */
export interface BrokenStore {
  /** kebab-case name, e.g. `loses-updates`. */
  name: string;
  /** The requirement it breaks, e.g. `R28`. */
  requirement: string;
  /** One sentence: what it does wrong. */
  breaks: string;
  /** Wraps a fresh working store. */
  wrap(inner: MetadataStore): MetadataStore;
}
