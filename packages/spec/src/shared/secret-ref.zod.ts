import { z } from 'zod';
import { define } from './registry';
import { boundedText } from './text';

const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** Message given when a secret is written inline instead of as a reference. */
export const INLINE_SECRET_MESSAGE =
  'secrets are not accepted inline; give a reference such as { "env": "PG_PASSWORD" } or { "file": "/run/secrets/pg_password" }';

/** A secret read from an environment variable. */
export const EnvSecretRefSchema = /* @__PURE__ */ define('EnvSecretRef', () =>
  z
    .strictObject({
      env: z
        .string()
        .regex(ENV_VAR_NAME, {
          error:
            'must be an environment variable name: uppercase letters, digits and underscores, not starting with a digit, at most 128 characters',
        })
        .meta({ description: 'Name of the environment variable that holds the secret.', examples: ['PG_PASSWORD'] }),
    })
    .meta({
      description:
        'A secret read from an environment variable when the runtime opens a connection. The runtime reads the variable at connect time, so a rotated value takes effect on the next connection without a restart of the protocol layer.',
      examples: [{ env: 'PG_PASSWORD' }],
    }),
);
export type EnvSecretRef = z.output<typeof EnvSecretRefSchema>;
export type EnvSecretRefInput = z.input<typeof EnvSecretRefSchema>;

/** A secret read from a file, such as a mounted container secret. */
export const FileSecretRefSchema = /* @__PURE__ */ define('FileSecretRef', () =>
  z
    .strictObject({
      file: boundedText(2, 4096)
        .regex(/^\/[^\0]*$/, { error: 'must be an absolute file path starting with "/"' })
        .meta({
          description: 'Absolute path of a file whose contents (trailing newline removed) are the secret.',
          examples: ['/run/secrets/pg_password'],
        }),
    })
    .meta({
      description:
        'A secret read from a file when the runtime opens a connection, such as a Docker or Kubernetes secret mounted into the container. Read at connect time, so rotation needs no restart.',
      examples: [{ file: '/run/secrets/pg_password' }],
    }),
);
export type FileSecretRef = z.output<typeof FileSecretRefSchema>;
export type FileSecretRefInput = z.input<typeof FileSecretRefSchema>;

/**
 * A reference to a secret. Secrets are never written inline, so they cannot
 * leak into metadata records, history, exports or error messages.
 */
export const SecretRefSchema = /* @__PURE__ */ define('SecretRef', () =>
  z
    .union([EnvSecretRefSchema, FileSecretRefSchema], {
      error: (issue) => (typeof issue.input === 'string' ? INLINE_SECRET_MESSAGE : undefined),
    })
    .meta({
      description:
        'A reference to a secret (a password, token, or a connection URL that can embed credentials): an environment variable or a file. Inline secrets are rejected; a runtime resolves the reference when it connects and never logs the resolved value.',
      examples: [{ env: 'PG_PASSWORD' }, { file: '/run/secrets/mongodb_url' }],
    }),
);
export type SecretRef = z.output<typeof SecretRefSchema>;
export type SecretRefInput = z.input<typeof SecretRefSchema>;
