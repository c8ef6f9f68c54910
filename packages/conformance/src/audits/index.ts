import type { Audit } from '../audit';
import { auditsR01toR16 } from './r01-r16';
import { auditsR17toR32 } from './r17-r32';
import { auditsR33toR47 } from './r33-r47';

const AUDIT_ID = /^R(\d+)\.(\d+)$/;

/** Orders audits by requirement number, then audit number (R2.1 before R10.1, R10.2 before R10.10); other ids last, by text. */
export function compareAuditIds(a: Pick<Audit, 'id'>, b: Pick<Audit, 'id'>): number {
  const x = AUDIT_ID.exec(a.id);
  const y = AUDIT_ID.exec(b.id);
  if (x && y) return Number(x[1]) - Number(y[1]) || Number(x[2]) - Number(y[2]);
  if (x) return -1;
  if (y) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * What is wrong with a list of audits: an id that is not `R<n>.<k>`, an id
 * that does not start with its requirement, a requirement that is not `R<n>`,
 * an id used twice, an empty title. Empty when the list is sound.
 */
export function auditListProblems(list: readonly Audit[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const audit of list) {
    const match = AUDIT_ID.exec(audit.id);
    if (!match) problems.push(`${audit.id}: the id must be R<requirement>.<number>, such as R28.1`);
    if (!/^R\d+$/.test(audit.requirement)) problems.push(`${audit.id}: the requirement must be R<number>, not ${audit.requirement}`);
    else if (match && `R${match[1]}` !== audit.requirement)
      problems.push(`${audit.id}: the id must start with its requirement ${audit.requirement}`);
    if (seen.has(audit.id)) problems.push(`${audit.id}: the id is used more than once`);
    seen.add(audit.id);
    if (audit.title.trim() === '') problems.push(`${audit.id}: the title is empty`);
  }
  return problems;
}

function assemble(): readonly Audit[] {
  const list = [...auditsR01toR16, ...auditsR17toR32, ...auditsR33toR47].sort(compareAuditIds);
  const problems = auditListProblems(list);
  // A broken list is a bug in the kit, found the first time it is imported, never a silent gap in a report.
  if (problems.length > 0) throw new Error(`The conformance kit's audit list is invalid:\n  ${problems.join('\n  ')}`);
  return Object.freeze(list);
}

/** Every audit of the kit, sorted by requirement number, then audit number. */
export const audits: readonly Audit[] = assemble();
