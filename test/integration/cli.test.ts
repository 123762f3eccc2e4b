import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/lakebox.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });

describe('lakebox CLI', () => {
  it('prints the version from package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(run(['version']).stdout.trim()).toBe(pkg.version);
    expect(run(['--version']).stdout.trim()).toBe(pkg.version);
  });

  it('prints eval-able AWS_* exports that follow the configuration', () => {
    const out = run(['env', '--port', '4777'], { LAKEBOX_ACCESS_KEY_ID: 'abc', LAKEBOX_SECRET_ACCESS_KEY: 's p', LAKEBOX_REGION: 'eu-west-1' });
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('export AWS_ENDPOINT_URL=http://127.0.0.1:4777\n');
    expect(out.stdout).toContain('export AWS_ACCESS_KEY_ID=abc\n');
    expect(out.stdout).toContain("export AWS_SECRET_ACCESS_KEY='s p'\n");
    expect(out.stdout).toContain('export AWS_DEFAULT_REGION=eu-west-1\n');
    const evald = spawnSync('bash', ['-c', `eval "${out.stdout.replace(/"/g, '\\"')}"; echo "$AWS_SECRET_ACCESS_KEY|$AWS_ENDPOINT_URL"`], { encoding: 'utf8' });
    expect(evald.stdout.trim()).toBe('s p|http://127.0.0.1:4777');
  });

  it('refuses a non-loopback address with default credentials', () => {
    const out = run(['server', '--host', '0.0.0.0', '--port', '0'], { LAKEBOX_ACCESS_KEY_ID: '', LAKEBOX_SECRET_ACCESS_KEY: '' });
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/refusing to listen on 0\.0\.0\.0/);
  });

  it('documents every setting in --help', () => {
    const help = run(['server', '--help']).stdout;
    for (const name of ['--host', '--port', '--data-dir', 'LAKEBOX_ACCESS_KEY_ID', 'LAKEBOX_SECRET_ACCESS_KEY', 'LAKEBOX_DATA_DIR', 'LAKEBOX_CONFIG']) {
      expect(help).toContain(name);
    }
  });
});
