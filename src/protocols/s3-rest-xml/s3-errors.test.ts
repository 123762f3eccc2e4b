import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { S3_ERROR_STATUS } from './s3-errors.js';
import { FIREHOSE_ERROR_STATUS } from '../../streams/firehose/errors.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('S3 error table', () => {
  it('has an HTTP status for every error code the storage and auth layers raise', () => {
    const codes = new Set<string>();
    for (const file of [...sources('src/storage'), ...sources('src/protocols/sigv4')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/new (?:Storage|Auth|Service)Error\(\s*'([A-Za-z0-9]+)'/g)) codes.add(m[1]!);
    }
    expect(codes.size).toBeGreaterThan(20);
    const missing = [...codes].filter((c) => S3_ERROR_STATUS[c] === undefined);
    expect(missing).toEqual([]);
  });

  it('documents every code in docs/errors.md', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const missing = [...Object.keys(S3_ERROR_STATUS), ...Object.keys(FIREHOSE_ERROR_STATUS)].filter((c) => !doc.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});
