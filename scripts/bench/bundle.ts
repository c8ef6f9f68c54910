/**
 * 4. Bundle: what an app's bundle grows by when it imports one schema of the
 * built package, against an app that imports only zod and declares one small
 * object. esbuild, minified, ESM, platform neutral, zod bundled (not
 * external), so both sides carry the same zod and the difference is ours.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type TargetResult, ROOT, fmt, heading, table } from './lib';

/** The target: one schema may add at most this much over the zod-only baseline. */
const LIMIT_KB = 30;

const BASELINE = `import { z } from 'zod';\nexport const Small = z.object({ name: z.string(), size: z.int().min(0) });\n`;
const importing = (names: string) => `export { ${names} } from '@metasource/spec';\n`;

async function minified(contents: string): Promise<{ bytes: number; gzip: number }> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    legalComments: 'none',
    write: false,
  });
  const code = result.outputFiles[0]!.contents;
  return { bytes: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

export async function benchBundle(): Promise<TargetResult[]> {
  heading('4. Bundle (esbuild, minified, ESM, platform neutral, zod bundled)');
  const baseline = await minified(BASELINE);
  const entries: [string, string, boolean][] = [
    ['MetadataRecordSchema', importing('MetadataRecordSchema'), true],
    ['MetadataDriverConfigSchema', importing('MetadataDriverConfigSchema'), true],
    ['SqlIdentifierSchema', importing('SqlIdentifierSchema'), false],
    ['every export (export *)', `export * from '@metasource/spec';\n`, false],
  ];
  const rows: (string | number)[][] = [['zod + one small z.object (baseline)', fmt.kb(baseline.bytes), '-', fmt.kb(baseline.gzip), '-']];
  const results: TargetResult[] = [];
  for (const [label, contents, target] of entries) {
    const size = await minified(contents);
    const extra = size.bytes - baseline.bytes;
    rows.push([label, fmt.kb(size.bytes), `+${fmt.kb(extra)}`, fmt.kb(size.gzip), `+${fmt.kb(size.gzip - baseline.gzip)}`]);
    if (target)
      results.push({
        target: `one-schema bundle <= +${LIMIT_KB} KB, ${label}`,
        pass: extra / 1024 <= LIMIT_KB,
        measured: `+${fmt.kb(extra)}`,
      });
  }
  table(['bundle of', 'minified', 'vs baseline', 'gzip', 'vs baseline'], rows);
  console.log(`\nBaseline source: ${JSON.stringify(BASELINE.trim())}`);
  return results;
}
