/** ObjectStore adapter for any S3-compatible remote store (placeholder until the adapter lands). */
import type { RemoteS3Config } from '../../config/config.js';
import { FsObjectStore } from '../fs/fs-object-store.js';

export interface RemoteS3ObjectStoreOptions extends RemoteS3Config {
  readonly spoolDir: string;
}

export class RemoteS3ObjectStore extends FsObjectStore {
  constructor(options: RemoteS3ObjectStoreOptions) {
    super({ root: options.spoolDir, fsync: true });
    throw new Error('remote S3 storage is not implemented yet');
  }
}
