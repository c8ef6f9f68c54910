/**
 * 0. Package: what `npm pack` would publish from packages/spec (dry run),
 * by top-level folder: the tarball size and file count users download.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, fmt, heading, table } from './lib';

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

export function benchPackageSize(): void {
  heading('0. Package (npm pack --dry-run in packages/spec)');
  const [pack] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join(ROOT, 'packages/spec'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as PackResult[];
  const groups = new Map<string, { files: number; bytes: number }>();
  for (const file of pack!.files) {
    // Files by folder; a file at the top stands for itself.
    const slash = file.path.lastIndexOf('/');
    const group = slash < 0 ? file.path : file.path.slice(0, slash + 1);
    const entry = groups.get(group) ?? { files: 0, bytes: 0 };
    entry.files++;
    entry.bytes += file.size;
    groups.set(group, entry);
  }
  table(
    ['folder or file', 'files', 'unpacked'],
    [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, g]) => [group, g.files, fmt.kb(g.bytes)]),
  );
  console.log(`\n${pack!.filename}: ${fmt.kb(pack!.size)} packed, ${fmt.kb(pack!.unpackedSize)} unpacked, ${pack!.entryCount} files.`);
}
