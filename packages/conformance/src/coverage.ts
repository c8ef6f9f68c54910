import type { Audit, AuditLevel } from './audit';
import { compareAuditIds } from './audits/index';

/** One numbered requirement of the protocol guide. */
export interface GuideRequirement {
  /** `R1` to `R47`. */
  id: string;
  /** The strongest key word in its text: MUST (or MUST NOT), else SHOULD (or SHOULD NOT), else MAY. */
  level: AuditLevel;
  /** Every key word its text uses, strongest first. */
  levels: AuditLevel[];
  /** Its text, on one line, without the leading `**R<n>.**`. */
  text: string;
  /** Its short form from the guide's index of requirements, when the index has it. */
  summary?: string;
}

const LEVELS: readonly AuditLevel[] = ['MUST', 'SHOULD', 'MAY'];

/**
 * The requirements of the guide (docs/METADATA_DATASOURCE.md): each starts
 * a list item `- **R<n>.**` and runs over the indented lines below it. Their
 * short forms come from the index table at the end (`| R<n> | ... |`).
 */
export function parseRequirements(markdown: string): GuideRequirement[] {
  const lines = markdown.split(/\r?\n/);
  const summaries = new Map<string, string>();
  for (const line of lines) {
    const row = /^\| (R\d+) \| (.+?) \| .* \|$/.exec(line);
    if (row) summaries.set(row[1]!, row[2]!);
  }
  const requirements: GuideRequirement[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = /^- \*\*(R\d+)\.\*\* (.*)$/.exec(lines[i]!);
    if (!start) continue;
    const parts = [start[2]!];
    while (i + 1 < lines.length && /^ {2}\S/.test(lines[i + 1]!)) parts.push(lines[++i]!.trim());
    const text = parts.join(' ');
    const levels = LEVELS.filter((level) => new RegExp(`\\b${level}\\b`).test(text));
    const id = start[1]!;
    const summary = summaries.get(id);
    requirements.push({ id, level: levels[0] ?? 'MUST', levels, text, ...(summary === undefined ? {} : { summary }) });
  }
  return requirements.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
}

/**
 * Why no black-box audit of the MetadataStore interface can test a
 * requirement, or the part of it that its audits do not reach. Every
 * requirement without audits needs an entry (the coverage check fails
 * otherwise); an entry for a requirement that has audits says what they
 * leave to the implementer's own tests.
 */
export const NOT_AUDITABLE: Readonly<Record<string, string>> = Object.freeze({
  R1: "Configurations and loader contracts are parsed by the runtime before a store exists, so the audits cover the inputs of store calls (contexts, options, items, keys, operations); the configuration side is the spec's own tests (MetasourceConfigSchema) and R2.",
  R2: "Refusing to start is the runtime's behaviour before any store exists: the kit receives stores already built by the implementer's factory and never sees a configuration, so it cannot hand one an invalid configuration. Test it where the runtime reads its configuration (parse with MetasourceConfigSchema and stop on the first issue).",
  R3: "Resolving datasource names, choosing the storage layout and refusing a table schema on SQLite or MongoDB all happen when a runtime builds a store from a MetasourceConfig, before the MetadataStore interface exists; the layout is invisible through the interface, which returns the same records on every layout (R18). MetasourceConfigSchema's rule table_schema_needs_schema_support is tested in the spec.",
  R4: "Secret references are resolved when the store connects to its database: the kit cannot set the implementer's environment variables or secret files, rotate a secret, or watch which connections a store opens. Test it with the datasource's connection factory.",
  R5: 'TLS is negotiated between the driver and a database server with certificates; the interface exposes neither the connection URL nor the handshake, so only a test with a TLS-enabled server (a wrong host name, an untrusted chain) can show it.',
  R6: 'The audits show that values, quotes, LIKE wildcards and unusual payload keys are matched literally; whether values reach the database as bound parameters (rather than escaped text that happens to work) can only be seen in the statements a store sends.',
  R9: 'The audits check a dry-run plan from the operator (nothing that loses data without allowDataLoss) and that a runtime caller cannot apply a migration; startup with autoMigrate, dropOnMigrate and the backup table before an altering step happen inside open() and the database, where the kit cannot look.',
  R10: 'Whether two migrations overlap is decided inside the datasource (an advisory lock or a lock row with an expiry). Two migrate() calls that both succeed may have been serialised correctly, and forcing an overlap needs timing, which the kit never relies on; releasing the lock after a failure needs a failure the kit cannot provoke. Test it against the database with a held lock.',
  R11: "The audits check that a dry run applies nothing and that a script in another dialect is refused; that a dry run's statements are exactly those a real run executes can only be seen in the database.",
  R14: "Loader capabilities belong to the runtime's loader layer (MetadataLoaderContract): a MetadataStore is one writable datasource, and the interface has no loader list, no read-only loader and no capability switch for the kit to exercise. Test it where the runtime dispatches calls to its loaders.",
  R15: "Layering several loaders (files, memory, a datasource) is the runtime's work above the stores: the MetadataStore interface serves one datasource, so there is no second loader for an audit to layer. Inheritance within one store is audited under R38.",
  R16: "The audits check each page's checksum against the content projection, notModified, and that two stores of one implementation agree on the same items written through different histories; that two different loaders (a file loader and a database, say) agree needs both side by side, which a kit run against one implementation does not have.",
  R23: "A startup warning goes to the runtime's log when it prefetches: the MetadataStore interface has no prefetch and no log channel, so the kit can neither trigger the prefetch nor see the warning. Test it with the runtime's logger and a cache smaller than the prefetch.",
  R27: "Isolation levels show only under concurrent transactions interleaved at chosen points (a lost update or a phantom between two statements), and a transaction timeout needs a transaction held past its limit: both need control of the database's scheduling and of time, which a black-box audit without sleeps does not have. The per-save transaction override is validated like any option (R1); its effect cannot be observed through the interface.",
  R31: 'A runtime retries only aborts that the database reports (serialization failures, deadlocks). The kit cannot make the database abort a transaction, and cannot observe the attempts or the randomised delays between them; a version conflict, which must never be retried, is audited under R30.',
  R41: "Identifiers (table, schema, column and index names) come from the store's configuration, never from a call: the interface gives the kit no identifier to inject, and whether a store quotes them can only be seen in the SQL it sends. The values and payload keys that do come from calls are audited under R6.",
  R47: "A requirement on validators that use the JSON Schema files, not on stores: the spec's own tests (tests/json-schema.test.ts, the Python consumer test) check that every emitted schema lists the rules it leaves unchecked.",
});

/** What is wrong with the coverage of the guide's requirements; empty when every requirement is accounted for. */
export function coverageProblems(
  audits: readonly Audit[],
  requirements: readonly GuideRequirement[],
  notAuditable: Readonly<Record<string, string>> = NOT_AUDITABLE,
): string[] {
  const problems: string[] = [];
  const known = new Map(requirements.map((r) => [r.id, r]));
  for (const requirement of requirements) {
    const audited = audits.some((audit) => audit.requirement === requirement.id);
    if (!audited && !notAuditable[requirement.id]) {
      problems.push(`${requirement.id} has no audit and no reason in NOT_AUDITABLE why a black-box audit cannot test it`);
    }
  }
  for (const audit of audits) {
    const requirement = known.get(audit.requirement);
    if (!requirement) problems.push(`${audit.id} names ${audit.requirement}, which the guide does not state`);
    else if (!requirement.levels.includes(audit.level)) {
      problems.push(
        `${audit.id} is a ${audit.level} audit, but ${audit.requirement} says ${requirement.levels.join('/') || 'no key word'}`,
      );
    }
  }
  for (const id of Object.keys(notAuditable)) {
    if (!known.has(id)) problems.push(`NOT_AUDITABLE names ${id}, which the guide does not state`);
  }
  return problems;
}

/**
 * A Markdown table of every requirement of the guide: its level, its short
 * form, the ids of its audits and, from NOT_AUDITABLE, why no audit can test
 * it (or the part its audits leave out). Deterministic.
 */
export function renderCoverage(
  audits: readonly Audit[],
  requirementsFromGuide: readonly GuideRequirement[],
  notAuditable: Readonly<Record<string, string>> = NOT_AUDITABLE,
): string {
  const sorted = [...audits].sort(compareAuditIds);
  const auditedCount = requirementsFromGuide.filter((r) => sorted.some((a) => a.requirement === r.id)).length;
  const lines = [
    '# Conformance coverage',
    '',
    'Which requirement of the protocol guide (docs/METADATA_DATASOURCE.md) the conformance kit',
    '(`@metasource/conformance`) audits, and for each one it cannot audit through the MetadataStore',
    'interface, why. Generated by `pnpm run conformance:write`; `pnpm run check` fails when it is stale.',
    '',
    `**${requirementsFromGuide.length} requirements: ${auditedCount} audited by ${sorted.length} audits, ${requirementsFromGuide.length - auditedCount} left to the implementer with a reason.**`,
    '',
    '| requirement | level | in short | audits | not audited, and why |',
    '| --- | --- | --- | --- | --- |',
    ...requirementsFromGuide.map((r) => {
      const ids = sorted.filter((a) => a.requirement === r.id).map((a) => (a.level === r.level ? a.id : `${a.id} (${a.level})`));
      return `| ${r.id} | ${r.level} | ${cell(r.summary ?? '')} | ${ids.join(', ')} | ${cell(notAuditable[r.id] ?? '')} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}
