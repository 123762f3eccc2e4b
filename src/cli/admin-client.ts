/** Calls Lakebox's authenticated admin endpoints (/_lakebox/…) with SigV4 and the configured root credentials. */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LakeboxConfig } from '../config/config.js';

export class AdminCallError extends Error {}

export async function adminCall(config: LakeboxConfig, method: string, path: string, query: Record<string, string>): Promise<string> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const signer = new SignatureV4({
    service: 'lakebox',
    region: config.region,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: host,
    port: config.port,
    path,
    query,
    headers: { host: `${hostPart}:${config.port}` },
  });
  const qs = new URLSearchParams(query).toString();
  const url = `http://${hostPart}:${config.port}${path}${qs ? `?${qs}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers: signed.headers });
  } catch (err) {
    throw new AdminCallError(`cannot reach Lakebox at ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new AdminCallError(`${res.status}: ${text}`);
  return text;
}
