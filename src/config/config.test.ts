import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, configFromFile, ConfigError, isLoopbackHost, resolveConfig } from './config.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = resolveConfig([], '/srv');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 4566,
      dataDir: '/srv/.lakebox',
      accessKeyId: 'test',
      secretAccessKey: 'test',
      credentialsExplicit: false,
      region: 'us-east-1',
      accountId: '000000000000',
      storage: 'fs',
      fsync: true,
    });
  });

  it('layers file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lbx-cfg-'));
    writeFileSync(join(dir, 'lakebox.config.json'), JSON.stringify({ port: 1111, region: 'eu-west-1', logLevel: 'debug' }));
    const file = configFromFile(undefined, dir);
    const env = configFromEnv({ LAKEBOX_PORT: '2222', LAKEBOX_ACCESS_KEY_ID: 'k', LAKEBOX_SECRET_ACCESS_KEY: 's' });
    const c = resolveConfig([file, env, { port: '3333' }], dir);
    expect(c.port).toBe(3333);
    expect(c.region).toBe('eu-west-1');
    expect(c.logLevel).toBe('debug');
    expect(c.accessKeyId).toBe('k');
    expect(c.credentialsExplicit).toBe(true);
  });

  it('rejects bad values and unknown config keys with clear errors', () => {
    expect(() => resolveConfig([{ port: 'abc' }], '/')).toThrow(ConfigError);
    expect(() => resolveConfig([{ accountId: '12' }], '/')).toThrow(/12 digits/);
    expect(() => resolveConfig([{ accessKeyId: 'only-one' }], '/')).toThrow(/both/);
    expect(() => resolveConfig([{ storage: 's3' }], '/')).toThrow(/s3Bucket/);
    const dir = mkdtempSync(join(tmpdir(), 'lbx-cfg-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ prot: 1 }));
    expect(() => configFromFile(join(dir, 'bad.json'), dir)).toThrow(/unknown setting "prot"/);
    expect(() => configFromFile(join(dir, 'missing.json'), dir)).toThrow(/not found/);
  });

  it('reads the Athena active query limit (default 200, a positive integer)', () => {
    expect(resolveConfig([], '/').athenaMaxActiveQueries).toBe(200);
    expect(resolveConfig([configFromEnv({ LAKEBOX_ATHENA_MAX_ACTIVE_QUERIES: '3' })], '/').athenaMaxActiveQueries).toBe(3);
    expect(resolveConfig([{ athenaMaxActiveQueries: 7 }], '/').athenaMaxActiveQueries).toBe(7);
    expect(() => resolveConfig([{ athenaMaxActiveQueries: '0' }], '/')).toThrow(/athenaMaxActiveQueries must be a positive integer/);
    expect(() => resolveConfig([{ athenaMaxActiveQueries: '2.5' }], '/')).toThrow(ConfigError);
  });

  it('reads the Athena poll wait (default 100 ms, 0 to answer at once)', () => {
    expect(resolveConfig([], '/').athenaPollWaitMs).toBe(100);
    expect(resolveConfig([configFromEnv({ LAKEBOX_ATHENA_POLL_WAIT_MS: '0' })], '/').athenaPollWaitMs).toBe(0);
    expect(() => resolveConfig([{ athenaPollWaitMs: '-1' }], '/')).toThrow(/athenaPollWaitMs must be an integer from 0 to 20000/);
    expect(() => resolveConfig([{ athenaPollWaitMs: 'soon' }], '/')).toThrow(ConfigError);
  });

  it('knows loopback addresses', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.5')).toBe(false);
  });
});
