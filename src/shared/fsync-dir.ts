/** fsync of a directory, so that the names created, renamed or removed in it are durable. */
import { open } from 'node:fs/promises';

export async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
