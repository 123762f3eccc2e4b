/** Athena request validation helpers: opaque NextTokens, MaxResults ranges, required strings. */
import { AthenaErrors } from './athena-errors.js';

export function encodeToken(kind: string, cursor: unknown): string {
  return Buffer.from(JSON.stringify([kind, cursor]), 'utf8').toString('base64url');
}

export function decodeToken<T>(kind: string, token: unknown): T | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token === 'string' && token !== '') {
    try {
      const [k, cursor] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, T];
      if (k === kind) return cursor;
    } catch {
      // fall through
    }
  }
  throw AthenaErrors.invalidInput('The NextToken is not valid.');
}

export function maxResults(value: unknown, min: number, max: number, fallback = max): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw AthenaErrors.invalidInput(
      `1 validation error detected: Value '${JSON.stringify(value)}' at 'maxResults' failed to satisfy constraint: Member must have value ${value !== undefined && typeof value === 'number' && value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
  return value;
}

export function requiredString(value: unknown, field: string, min = 1, max = 1024): string {
  if (typeof value !== 'string' || value.length < min) throw AthenaErrors.invalidInput(`${field} is null or empty`);
  if (value.length > max) {
    throw AthenaErrors.invalidInput(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  return value;
}

export const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;
