import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import { chunkSignature, SigV4Verifier, type AuthContext, type SignedRequest } from './verifier.js';
import { ServiceError } from '../../shared/service-error.js';

// Test vectors from the AWS "Signature Version 4 for S3" documentation examples.
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HOST = 'examplebucket.s3.amazonaws.com';
const AT = new Date('2013-05-24T00:00:00Z');

const verifier = (now = AT): SigV4Verifier =>
  new SigV4Verifier({ secretFor: (k) => (k === AKID ? SECRET : undefined) }, () => now);

function auth(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof ServiceError ? err.code : String(err);
  }
}

describe('SigV4Verifier (AWS documentation vectors)', () => {
  it('accepts a GET with a Range header', async () => {
    const req: SignedRequest = {
      method: 'GET',
      rawPath: '/test.txt',
      query: [],
      headers: {
        host: HOST,
        range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY_SHA,
        'x-amz-date': '20130524T000000Z',
        authorization: auth('host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'),
      },
    };
    const ctx = await verifier().verify(req);
    expect(ctx.accessKeyId).toBe(AKID);
    expect(ctx.region).toBe('us-east-1');
    expect(ctx.service).toBe('s3');
  });

  it('accepts a PUT whose key needs encoding and a date header', async () => {
    const body = 'Welcome to Amazon S3.';
    const req: SignedRequest = {
      method: 'PUT',
      rawPath: '/test%24file.text',
      query: [],
      headers: {
        host: HOST,
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        authorization: auth(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      },
    };
    await expect(verifier().verify(req)).resolves.toMatchObject({ accessKeyId: AKID });
  });

  it('canonicalizes query strings, including value-less sub-resources', async () => {
    const base = { host: HOST, 'x-amz-content-sha256': EMPTY_SHA, 'x-amz-date': '20130524T000000Z' };
    await expect(
      verifier().verify({
        method: 'GET',
        rawPath: '/',
        query: [
          ['max-keys', '2'],
          ['prefix', 'J'],
        ],
        headers: { ...base, authorization: auth('host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7') },
      }),
    ).resolves.toBeDefined();
    await expect(
      verifier().verify({
        method: 'GET',
        rawPath: '/',
        query: [['lifecycle', '']],
        headers: { ...base, authorization: auth('host;x-amz-content-sha256;x-amz-date', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543') },
      }),
    ).resolves.toBeDefined();
  });

  it('accepts the documented presigned URL until it expires, then answers AccessDenied', async () => {
    const req: SignedRequest = {
      method: 'GET',
      rawPath: '/test.txt',
      query: [
        ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
        ['X-Amz-Credential', `${AKID}/20130524/us-east-1/s3/aws4_request`],
        ['X-Amz-Date', '20130524T000000Z'],
        ['X-Amz-Expires', '86400'],
        ['X-Amz-SignedHeaders', 'host'],
        ['X-Amz-Signature', 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404'],
      ],
      headers: { host: HOST },
    };
    await expect(verifier(new Date('2013-05-24T12:00:00Z')).verify(req)).resolves.toMatchObject({ presigned: true });
    expect(await code(verifier(new Date('2013-05-25T00:00:01Z')).verify(req))).toBe('AccessDenied');
    expect(await code(verifier(new Date('2013-05-23T23:00:00Z')).verify(req))).toBe('AccessDenied');
    const tampered = { ...req, rawPath: '/other.txt' };
    expect(await code(verifier(new Date('2013-05-24T12:00:00Z')).verify(tampered))).toBe('SignatureDoesNotMatch');
    const partial = { ...req, query: req.query.filter(([k]) => k !== 'X-Amz-Expires') };
    expect(await code(verifier().verify(partial))).toBe('AuthorizationQueryParametersError');
    const tooLong = { ...req, query: req.query.map(([k, v]) => [k, k === 'X-Amz-Expires' ? '604801' : v] as const) };
    expect(await code(verifier().verify(tooLong))).toBe('AuthorizationQueryParametersError');
  });

  it('rejects wrong signatures, unknown keys and skewed clocks with AWS codes', async () => {
    const headers = {
      host: HOST,
      range: 'bytes=0-9',
      'x-amz-content-sha256': EMPTY_SHA,
      'x-amz-date': '20130524T000000Z',
    };
    const good = auth('host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
    const req = (h: Record<string, string>): SignedRequest => ({ method: 'GET', rawPath: '/test.txt', query: [], headers: h });
    expect(await code(verifier().verify(req({ ...headers, range: 'bytes=0-10', authorization: good })))).toBe('SignatureDoesNotMatch');
    expect(await code(verifier().verify(req({ ...headers, authorization: good.replace(AKID, 'AKIDUNKNOWN') })))).toBe('InvalidAccessKeyId');
    expect(await code(verifier(new Date('2013-05-24T00:16:00Z')).verify(req({ ...headers, authorization: good })))).toBe('RequestTimeTooSkewed');
    expect(await code(verifier().verify(req({ ...headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' })))).toBe(
      'AuthorizationHeaderMalformed',
    );
    const { ['x-amz-content-sha256']: _drop, ...noSha } = headers;
    expect(await code(verifier().verify(req({ ...noSha, authorization: good })))).toBe('InvalidRequest');
  });
});

describe('AwsChunkedDecoder (AWS streaming documentation vector)', () => {
  const ctx = async (): Promise<AuthContext> =>
    verifier().verify({
      method: 'PUT',
      rawPath: '/examplebucket/chunkObject.txt',
      query: [],
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
        authorization: auth(
          'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
          '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        ),
      },
    });

  function frame(sigs: [string, string, string], tamper = false): Buffer {
    const c1 = Buffer.alloc(65536, 'a');
    const c2 = Buffer.alloc(1024, 'a');
    if (tamper) c2[0] = 0x62;
    return Buffer.concat([
      Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
      c1,
      Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
      c2,
      Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n\r\n`),
    ]);
  }
  const SIGS: [string, string, string] = [
    'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
    '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
    'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
  ];

  async function decode(body: Buffer, auth: AuthContext, mode: string, pieces = 7): Promise<Buffer> {
    const parts: Buffer[] = [];
    const step = Math.ceil(body.length / pieces);
    for (let i = 0; i < body.length; i += step) parts.push(body.subarray(i, i + step));
    const out: Buffer[] = [];
    for await (const c of Readable.from(parts).pipe(new AwsChunkedDecoder(auth, mode))) out.push(c as Buffer);
    return Buffer.concat(out);
  }

  it('verifies the seed and every chunk signature and yields the decoded bytes', async () => {
    const a = await ctx();
    expect(chunkSignature(a, a.signature, createHash('sha256').update(Buffer.alloc(65536, 'a')).digest('hex'))).toBe(SIGS[0]);
    const data = await decode(frame(SIGS), a, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    expect(data.length).toBe(66560);
    expect(data.every((b) => b === 0x61)).toBe(true);
  });

  it('rejects a body altered after signing', async () => {
    const a = await ctx();
    await expect(decode(frame(SIGS, true), a, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD')).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('decodes unsigned chunks with a trailing checksum', async () => {
    const a = await ctx();
    const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    const decoder = new AwsChunkedDecoder(a, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    const out: Buffer[] = [];
    for await (const c of Readable.from([body]).pipe(decoder)) out.push(c as Buffer);
    expect(Buffer.concat(out).toString()).toBe('hello world');
    expect(decoder.trailers.get('x-amz-checksum-crc32')).toBe('DUoRhQ==');
  });

  it('fails a truncated body', async () => {
    const a = await ctx();
    const body = Buffer.from('5\r\nhello\r\n6\r\n wo');
    await expect(decode(body, a, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 1)).rejects.toMatchObject({ code: 'IncompleteBody' });
  });
});
