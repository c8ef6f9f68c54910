/**
 * The worked checksum example of docs/METADATA_DATASOURCE.md (MetadataRecord,
 * "Checksums", R13), recomputed from the values on the page with an RFC 8785
 * implementation (`canonicalize`) and node:crypto, so the page cannot show a
 * wrong canonical form or checksum. The blocks are found by the
 * `<!-- checksum-example: ... -->` comment on the line before each fence.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { MetadataChecksumSchema, MetadataRecordSchema } from '../packages/spec/src/index';

const GUIDE = readFileSync(join(import.meta.dirname, '..', 'docs/METADATA_DATASOURCE.md'), 'utf8');

/** The body of the one fenced block right after `<!-- checksum-example: label -->`. */
function block(label: string): string {
  const pattern = new RegExp(`^<!-- checksum-example: ${label} -->\\n\`\`\`(?:json|text)\\n([\\s\\S]*?)\\n\`\`\`$`, 'gm');
  const found = [...GUIDE.matchAll(pattern)];
  expect(found, `exactly one block marked "checksum-example: ${label}"`).toHaveLength(1);
  return found[0]![1]!;
}

function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('canonicalize returned undefined');
  return text;
}

const checksumOf = (value: unknown) => `sha256:${createHash('sha256').update(jcs(value), 'utf8').digest('hex')}`;

describe('the worked checksum example', () => {
  const payload = JSON.parse(block('payload')) as unknown;
  const canonical = block('canonical');
  const checksum = block('checksum');

  it('shows the RFC 8785 form of the payload', () => {
    expect(jcs(payload)).toBe(canonical);
    // The written form differs from the canonical one: key order and 50.0.
    expect(block('payload')).toContain('50.0');
    expect(block('payload')).not.toBe(canonical);
  });

  it('shows the SHA-256 of that form, as a valid MetadataChecksum', () => {
    expect(checksumOf(payload)).toBe(checksum);
    expect(`sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`).toBe(checksum);
    expect(MetadataChecksumSchema.parse(checksum)).toBe(checksum);
  });

  it('gives the same checksum for the payload written with other key order and 50 for 50.0', () => {
    const same = block('same payload');
    expect(same).not.toBe(block('payload'));
    expect(checksumOf(JSON.parse(same))).toBe(checksum);
  });

  it('gives another checksum, shown on the page, when an array is reordered', () => {
    const reordered = { ...(payload as Record<string, unknown>), columns: ['industry', 'name'] };
    const other = checksumOf(reordered);
    expect(other).not.toBe(checksum);
    expect(GUIDE).toContain(`\`${other}\``);
  });
});

describe("the guide's MetadataRecord example", () => {
  it('carries the checksum of its payload', () => {
    const marker = '<!-- schema: MetadataRecord -->\n```json\n';
    const start = GUIDE.indexOf(marker);
    expect(start).toBeGreaterThan(-1);
    const text = GUIDE.slice(start + marker.length, GUIDE.indexOf('\n```', start + marker.length));
    const record = MetadataRecordSchema.parse(JSON.parse(text));
    expect(record.checksum).toBe(checksumOf(record.payload));
  });
});
