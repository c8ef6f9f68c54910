/**
 * @metasource/conformance: audits any MetadataStore against the requirements
 * of the Metasource protocol guide, through the interface alone.
 */
export { AuditFailure, AuditSkipped, type Audit, type AuditEnv, type AuditLevel } from './audit';
export { canonical, check, checkEqual, checksumOf, expectStoreError, storeErrorOf } from './assert';
export { audits, auditListProblems, compareAuditIds } from './audits/index';
export { coverageProblems, NOT_AUDITABLE, parseRequirements, renderCoverage, type GuideRequirement } from './coverage';
export { item, operator, reader, runtime } from './fixtures';
export { renderReport, summaryLine, verdict, type ReportOptions } from './report';
export {
  runAudit,
  runConformance,
  summarize,
  type AuditOutcome,
  type AuditResult,
  type ConformanceOptions,
  type ConformanceResult,
  type ConformanceSummary,
} from './runner';
export {
  conformanceTestName,
  registerConformanceTests,
  type ConformanceTestApi,
  type ConformanceTestContext,
  type ConformanceTestOptions,
} from './vitest';
