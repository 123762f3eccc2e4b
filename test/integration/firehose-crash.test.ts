/** kill -9 while PutRecordBatch calls are in flight and delivered intake segments are being reused: every acknowledged record is delivered once. */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createActive, destination, firehoseClients, flushStream, listDelivered, type FirehoseTestClients } from '../helpers/firehose-client.js';
import { removeDir, startLakebox, type LakeboxProcess } from '../helpers/lakebox-process.js';

let server: LakeboxProcess | undefined;
afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

const pad = 'x'.repeat(2_000);

describe('Firehose crash safety under load', () => {
  it('delivers every acknowledged record exactly once across kill -9 in the middle of concurrent puts', async () => {
    server = await startLakebox();
    let c: FirehoseTestClients = firehoseClients(server);
    await c.s3.send(new CreateBucketCommand({ Bucket: 'crash-load' }));
    // Interval 0 and small buffers: delivery runs all along, so delivered segments are reused while puts go on.
    await createActive(c, 'loaded', destination('crash-load', { BufferingHints: { SizeInMBs: 4, IntervalInSeconds: 0 }, ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] } }));
    const sent = new Set<string>();
    const acked = new Set<string>();
    const spare = join(server.dataDir, 'firehose', 'intake', 's-loaded', 'spare.log');
    let sawSpare = false;
    let call = 0;
    for (let round = 0; round < 2; round++) {
      let stop = false;
      const producer = async (): Promise<void> => {
        while (!stop) {
          const b = call++;
          const ids = Array.from({ length: 500 }, (_, i) => `${b}-${i}`);
          for (const id of ids) sent.add(id);
          try {
            const out = await c.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'loaded', Records: ids.map((id) => ({ Data: Buffer.from(`${id} ${pad}`) })) }));
            out.RequestResponses?.forEach((r, i) => {
              if (!r.ErrorCode) acked.add(ids[i]!);
            });
          } catch {
            // The server was killed under this call: not acknowledged.
          }
        }
      };
      const producers = Array.from({ length: 4 }, producer);
      // ~110k more records a round (~220 MB): several 64 MiB segments, delivered and reused while puts go on.
      const until = Date.now() + 20_000;
      while (Date.now() < until && acked.size < (round + 1) * 110_000) await new Promise((r) => setTimeout(r, 50));
      sawSpare ||= existsSync(spare);
      await server.stop('SIGKILL');
      stop = true;
      await Promise.all(producers);
      c.firehose.destroy();
      c.s3.destroy();
      server = await startLakebox({ dataDir: server.dataDir });
      c = firehoseClients(server);
    }
    expect(sawSpare).toBe(true);
    expect(await flushStream(c, 'loaded')).toBe(200);
    const counts = new Map<string, number>();
    for (const o of await listDelivered(c, 'crash-load')) {
      for (const line of o.body.toString('utf8').split('\n')) {
        if (line !== '') counts.set(line.slice(0, line.indexOf(' ')), (counts.get(line.slice(0, line.indexOf(' '))) ?? 0) + 1);
      }
    }
    expect(acked.size).toBeGreaterThanOrEqual(220_000);
    expect([...acked].filter((id) => !counts.has(id))).toEqual([]);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    expect([...counts.keys()].filter((id) => !sent.has(id))).toEqual([]);
  }, 120_000);
});
