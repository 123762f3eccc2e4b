/** The Lakebox server: one HTTP port for every AWS API, routed by protocol, authenticated with SigV4, with health and metrics endpoints. */
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isLoopbackHost, type LakeboxConfig } from '../config/config.js';
import { AwsJsonProtocol, readJsonBody } from '../protocols/aws-json/aws-json-protocol.js';
import { FirehoseJsonService } from '../protocols/aws-json/firehose-json-service.js';
import { FirehoseModule } from '../streams/firehose/firehose-module.js';
import { CatalogParquetConversion } from '../streams/firehose/delivery/parquet-conversion.js';
import { FunctionsModule } from '../functions/functions-module.js';
import type { FunctionsService } from '../functions/functions-service.js';
import { LambdaRestProtocol } from '../protocols/rest-json/lambda-rest-protocol.js';
import { CatalogModule } from '../catalog/catalog-module.js';
import { GlueJsonService } from '../protocols/aws-json/glue-json-service.js';
import { AthenaModule } from '../query/athena/athena-module.js';
import { AthenaJsonService } from '../protocols/aws-json/athena-json-service.js';
import { canonicalUserId } from '../protocols/s3-rest-xml/s3-context.js';
import { S3Protocol } from '../protocols/s3-rest-xml/s3-protocol.js';
import { isSigV2Presigned, verifySigV2Presigned } from '../protocols/sigv4/sigv2-presign.js';
import { SigV4Verifier, type AuthContext, type CredentialStore } from '../protocols/sigv4/verifier.js';
import { AuthErrors } from '../protocols/sigv4/auth-errors.js';
import { FsObjectStore } from '../storage/fs/fs-object-store.js';
import { MultipartService } from '../storage/multipart-service.js';
import { ObjectService } from '../storage/object-service.js';
import type { ObjectStore } from '../storage/object-store.js';
import { RemoteS3ObjectStore } from '../storage/s3/remote-s3-object-store.js';
import { VERSION } from '../version.js';
import { createLogger, type Logger } from './logger.js';
import { ServerMetrics } from './metrics.js';
import { parseTarget } from './url.js';

/** Large bodies (Firehose batches) are hashed on the thread pool, off the event loop; small ones inline, which is cheaper. */
async function sha256Hex(body: Buffer): Promise<string> {
  if (body.length < 64 * 1024) return createHash('sha256').update(body).digest('hex');
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', body)).toString('hex');
}

export class ConfigRefusedError extends Error {}

/** Request ids: a random per-process prefix and a counter (16 hex digits, unique per process lifetime). */
const REQUEST_ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % 0x1_0000_0000;
  return REQUEST_ID_PREFIX + requestCounter.toString(16).toUpperCase().padStart(8, '0');
}

export function createObjectStore(config: LakeboxConfig): ObjectStore {
  if (config.storage === 's3' && config.remoteS3) {
    return new RemoteS3ObjectStore({ ...config.remoteS3, spoolDir: join(config.dataDir, 'spool') });
  }
  return new FsObjectStore({ root: join(config.dataDir, 's3'), fsync: config.fsync });
}

export class LakeboxServer {
  readonly logger: Logger;
  readonly metrics = new ServerMetrics();
  readonly store: ObjectStore;
  readonly #verifier: SigV4Verifier;
  readonly #credentials: CredentialStore;
  readonly #s3: S3Protocol;
  readonly #json = new AwsJsonProtocol();
  readonly firehose: FirehoseModule;
  /** Lambda-compatible functions; `functionsService.invoke(...)` is the in-process entry point (e.g. for Firehose). */
  readonly functions: FunctionsModule;
  readonly functionsService: FunctionsService;
  readonly #lambda: LambdaRestProtocol;
  /** The Glue Data Catalog (`catalog.service.getTable(db, table)` for in-process readers). */
  readonly catalog: CatalogModule;
  /** Athena (queries on DuckDB over the Glue catalog and S3). */
  readonly athena: AthenaModule;
  #http: Server | undefined;
  #ready = false;

  constructor(
    readonly config: LakeboxConfig,
    logger?: Logger,
  ) {
    if (!isLoopbackHost(config.host) && !config.credentialsExplicit) {
      throw new ConfigRefusedError(
        `refusing to listen on ${config.host} with the default credentials: set LAKEBOX_ACCESS_KEY_ID and LAKEBOX_SECRET_ACCESS_KEY`,
      );
    }
    this.logger = logger ?? createLogger(config.logLevel);
    this.store = createObjectStore(config);
    this.#credentials = { secretFor: (akid) => (akid === config.accessKeyId ? config.secretAccessKey : undefined) };
    this.#verifier = new SigV4Verifier(this.#credentials);
    const objects = new ObjectService(this.store, config.region);
    this.functions = new FunctionsModule(
      {
        dataDir: config.dataDir,
        fsync: config.fsync,
        region: config.region,
        accountId: config.accountId,
        accessKeyId: config.accessKeyId,
        secretAccessKey: config.secretAccessKey,
        endpoint: () => this.#endpointUrl(),
        maxConcurrency: config.functionsMaxConcurrency,
        idleTtlSeconds: config.functionsIdleTtlSeconds,
        asyncRetryDelaySeconds: config.functionsAsyncRetryDelaySeconds,
      },
      this.logger,
    );
    this.functionsService = this.functions.service;
    this.#lambda = new LambdaRestProtocol(this.functions.service, this.logger);
    this.catalog = new CatalogModule({ dataDir: config.dataDir, fsync: config.fsync, accountId: config.accountId, objects, logger: this.logger });
    this.#json.register(new GlueJsonService(this.catalog.service, this.catalog.crawlers, this.catalog.tagging));
    this.athena = new AthenaModule(
      { dataDir: config.dataDir, fsync: config.fsync, maxConcurrentQueries: config.athenaMaxConcurrentQueries, maxActiveQueries: config.athenaMaxActiveQueries, queryCacheBytes: config.athenaQueryCacheMb * 1024 * 1024, pollWaitMs: config.athenaPollWaitMs, accountId: config.accountId },
      objects,
      this.catalog.service,
      this.logger,
    );
    this.#json.register(new AthenaJsonService(this.athena));
    this.firehose = new FirehoseModule(
      {
        dataDir: config.dataDir,
        fsync: config.fsync,
        region: config.region,
        accountId: config.accountId,
        bufferBudgetBytes: config.firehoseBufferBudgetMb * 1024 * 1024,
        gzipLevel: config.firehoseGzipLevel,
      },
      objects,
      this.metrics.registry,
      this.logger,
    );
    this.#json.register(new FirehoseJsonService(this.firehose.service));
    // Firehose's Lambda processor and format conversion call the functions and catalog services in-process.
    const functions = this.functions.service;
    this.firehose.invoker = {
      invoke: async (functionArn, payload) => {
        const r = await functions.invoke({ functionName: functionArn, payload, invocationType: 'RequestResponse' });
        return { functionError: r.functionError, payload: r.payload };
      },
    };
    this.firehose.conversion = new CatalogParquetConversion(this.catalog.service, {
      tempDir: join(config.dataDir, 'firehose', 'tmp'),
      region: config.region,
      accountId: config.accountId,
    });
    this.#s3 = new S3Protocol(
      {
        objects,
        multipart: new MultipartService(this.store),
        accountId: config.accountId,
        ownerId: canonicalUserId(config.accountId),
      },
      { baseDomains: config.hostnames, region: config.region },
    );
  }

  /** The JSON-protocol router, where services such as Firehose register. */
  get jsonProtocol(): AwsJsonProtocol {
    return this.#json;
  }

  async start(): Promise<AddressInfo> {
    await this.store.init();
    await this.catalog.start();
    await this.athena.start();
    await this.firehose.start();
    await this.functions.start();
    const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
      void this.#handle(req, res);
    });
    this.#http = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#ready = true;
    const address = server.address() as AddressInfo;
    this.logger.info(
      { host: address.address, port: address.port, dataDir: this.config.dataDir, storage: this.store.kind, version: VERSION },
      'lakebox ready',
    );
    return address;
  }

  async stop(): Promise<void> {
    this.#ready = false;
    const server = this.#http;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    await this.functions.stop();
    await this.firehose.stop();
    await this.athena.stop();
    await this.catalog.stop();
    await this.store.close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = nextRequestId();
    const url = parseTarget(req.url ?? '/');
    let service = 's3';
    let operation = 'Unknown';
    let status = 500;
    const bytesIn = Number(req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length'] ?? 0) || 0;
    try {
      if (url.rawPath === '/_lakebox/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        service = 'lakebox';
        operation = 'Health';
        status = this.#health(res);
        return;
      }
      if (url.rawPath === '/metrics' && req.method === 'GET' && url.query.length === 0 && req.headers['x-amz-target'] === undefined) {
        service = 'lakebox';
        operation = 'Metrics';
        const text = await this.metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
        res.end(text);
        status = 200;
        return;
      }
      const signed = { method: req.method ?? 'GET', rawPath: url.rawPath, query: url.query, headers: req.headers };
      if (LambdaRestProtocol.isCodeDownload(req.method, url.rawPath)) {
        service = 'lambda';
        operation = 'GetFunctionCode';
        status = await this.#lambda.codeDownload(req, res, url, requestId);
        return;
      }
      if (url.rawPath.startsWith('/_lakebox/')) {
        service = 'lakebox';
        operation = 'Admin';
        status = await this.#admin(req, res, url, signed, requestId);
        return;
      }
      const target = req.headers['x-amz-target'];
      const scope = SigV4Verifier.scopeService(signed);
      if (typeof target !== 'string' && scope === 'lambda') {
        service = 'lambda';
        operation = this.#lambda.operationOf(req.method ?? 'GET', url.rawPath);
        status = await this.#lambda.handle(req, res, url, requestId, (bodySha256) => this.#authenticate(signed, bodySha256));
        return;
      }
      if (typeof target === 'string' || (scope !== undefined && scope !== 's3')) {
        const t = typeof target === 'string' ? target : `${scope ?? ''}.`;
        const resolved = this.#json.resolve(t);
        service = resolved.serviceName;
        operation = resolved.operation || 'Unknown';
        let auth: AuthContext;
        let body: Buffer;
        let bodySha256: string;
        try {
          body = await readJsonBody(req);
          bodySha256 = await sha256Hex(body);
          auth = await this.#authenticate(signed, bodySha256);
        } catch (err) {
          status = this.#json.writeError(res, err, requestId, resolved.service);
          return;
        }
        status = await this.#json.handle(body, bodySha256, res, t, auth, requestId);
        return;
      }
      let s3target: ReturnType<S3Protocol['operationOf']>;
      try {
        s3target = this.#s3.operationOf(req, url);
      } catch (err) {
        status = this.#s3.writeError(req, res, err, requestId);
        return;
      }
      operation = s3target.operation;
      let auth: AuthContext;
      try {
        if (isSigV2Presigned(signed)) {
          const firstSegment = url.rawPath.split('/')[1] ?? '';
          const pathStyle = s3target.bucket === '' || decodeURIComponent(firstSegment) === s3target.bucket;
          const resource = pathStyle ? url.rawPath : `/${s3target.bucket}${url.rawPath}`;
          auth = verifySigV2Presigned(signed, resource, this.#credentials, new Date());
        } else {
          auth = await this.#authenticate(signed);
        }
      } catch (err) {
        status = this.#s3.writeError(req, res, err, requestId, s3target);
        return;
      }
      status = await this.#s3.handle(req, res, url, auth, requestId, s3target);
    } catch (err) {
      this.logger.error({ err, requestId }, 'unhandled error');
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error');
      } else res.destroy();
      status = 500;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const bytesOut = Number(res.getHeader('content-length') ?? 0);
      this.metrics.observe(service, operation, status, seconds, bytesIn, req.method === 'HEAD' ? 0 : bytesOut);
      const level = status >= 500 ? 'error' : 'info';
      this.logger[level](
        { requestId, api: service, operation, method: req.method, path: url.rawPath, status, ms: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    }
  }

  async #authenticate(req: Parameters<SigV4Verifier['verify']>[0], bodySha256?: string): Promise<AuthContext> {
    if (!SigV4Verifier.isSigned(req)) throw AuthErrors.missing();
    return this.#verifier.verify(req, bodySha256);
  }

  /** Authenticated admin calls under /_lakebox/ (SigV4 with the root credentials, any service name). */
  async #admin(
    req: IncomingMessage,
    res: ServerResponse,
    url: ReturnType<typeof parseTarget>,
    signed: Parameters<SigV4Verifier['verify']>[0],
    requestId: string,
  ): Promise<number> {
    const reply = (status: number, body: unknown): number => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId });
      res.end(text);
      return status;
    };
    try {
      await this.#authenticate(signed);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return reply(403, { __type: e.code ?? 'AccessDenied', message: e.message ?? 'Access Denied' });
    }
    req.resume();
    if (url.rawPath === '/_lakebox/firehose/flush' && req.method === 'POST') {
      const stream = url.query.find(([k]) => k === 'stream')?.[1];
      if (stream !== undefined && !this.firehose.service.hasDeliveryStream(stream)) {
        return reply(404, { __type: 'ResourceNotFoundException', message: `Firehose ${stream} not found.` });
      }
      try {
        await this.firehose.engine.flush(stream);
      } catch (err) {
        return reply(503, { __type: 'ServiceUnavailableException', message: (err as Error).message });
      }
      return reply(200, { flushed: stream ?? 'all' });
    }
    return reply(404, { __type: 'UnknownOperationException', message: `No admin operation at ${req.method ?? ''} ${url.rawPath}` });
  }

  /** This server's base URL (for AWS_ENDPOINT_URL inside functions); loopback when listening on every interface. */
  #endpointUrl(): string {
    const address = this.#http?.address();
    if (address === null || address === undefined || typeof address === 'string') return `http://127.0.0.1:${this.config.port}`;
    const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  #health(res: ServerResponse): number {
    const status = this.#ready ? 200 : 503;
    const body = JSON.stringify({
      status: this.#ready ? 'ok' : 'starting',
      version: VERSION,
      services: { s3: this.#ready ? 'ready' : 'starting', firehose: this.#ready ? 'ready' : 'starting', functions: this.#ready ? 'ready' : 'starting', glue: this.#ready ? 'ready' : 'starting', athena: this.#ready ? 'ready' : 'starting' },
      storage: this.store.kind,
    });
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return status;
  }
}
