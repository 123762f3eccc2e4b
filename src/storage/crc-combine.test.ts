import { describe, expect, it } from 'vitest';
import { digestOf } from './checksums.js';
import { combineCrc } from './crc-combine.js';
import type { ChecksumAlgorithm } from './model.js';

describe('combineCrc', () => {
  const a = Buffer.from('hello, lakebox '.repeat(1000));
  const b = Buffer.from('and the rest of the object');
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME'] as ChecksumAlgorithm[]) {
    it(`equals the CRC of the concatenation for ${alg}`, async () => {
      const whole = await digestOf(alg, Buffer.concat([a, b]));
      const combined = combineCrc(alg, await digestOf(alg, a), await digestOf(alg, b), b.length);
      expect(combined.toString('base64')).toBe(whole.toString('base64'));
    });
  }
  it('matches the published CRC check values', async () => {
    expect((await digestOf('CRC32', Buffer.from('123456789'))).toString('base64')).toBe('y/Q5Jg==');
    expect((await digestOf('CRC32C', Buffer.from('123456789'))).toString('base64')).toBe('4waSgw==');
    expect((await digestOf('CRC64NVME', Buffer.from('123456789'))).toString('base64')).toBe('rosUhgp5mIg=');
  });
});
