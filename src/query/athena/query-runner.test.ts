/** Engine messages name objects by their s3:// URI, never by the server's local file paths. */
import { describe, expect, it } from 'vitest';
import { withUris } from './query-runner.js';

describe('withUris', () => {
  it('replaces the local files a query read with their URIs, and cuts other server paths to the file name', () => {
    const uris = new Map([['/data/lb/s3/blobs/07/ab12', 's3://lake/events/part-0.snappy']]);
    expect(withUris('CSV Error on Line: 1 file = /data/lb/s3/blobs/07/ab12 delimiter = x', uris)).toBe('CSV Error on Line: 1 file = s3://lake/events/part-0.snappy delimiter = x');
    expect(withUris('IO Error: No files found that match /srv/lb/query-cache/3f/part.gz: bad', new Map())).toBe('IO Error: No files found that match <local file part.gz>: bad');
    expect(withUris('Binder Error: column "x" not found', uris)).toBe('Binder Error: column "x" not found');
  });
});
