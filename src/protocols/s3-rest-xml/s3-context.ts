/** What S3 handlers can reach: the storage services and account identity. */
import { createHash } from 'node:crypto';
import type { MultipartService } from '../../storage/multipart-service.js';
import type { ObjectService } from '../../storage/object-service.js';

export interface S3Context {
  readonly objects: ObjectService;
  readonly multipart: MultipartService;
  readonly accountId: string;
  /** Canonical user id shown as Owner/Initiator. */
  readonly ownerId: string;
}

export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`lakebox:${accountId}`).digest('hex');
}
