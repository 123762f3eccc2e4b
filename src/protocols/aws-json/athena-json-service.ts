/** AmazonAthena over AWS JSON 1.1: dispatches operations to AthenaService, work groups, named queries, prepared statements and catalog metadata; errors carry AthenaErrorCode. */
import { ATHENA_ERROR_STATUS, AthenaErrors } from '../../query/athena/athena-errors.js';
import type { AthenaModule } from '../../query/athena/athena-module.js';
import { ServiceError } from '../../shared/service-error.js';
import type { JsonService } from './aws-json-protocol.js';

type Json = Record<string, unknown>;
type Op = (input: Json) => unknown;

export class AthenaJsonService implements JsonService {
  readonly targetPrefix = 'AmazonAthena';
  readonly name = 'athena';
  readonly jsonVersion = '1.1' as const;
  readonly errorStatus = ATHENA_ERROR_STATUS;
  readonly #ops: Readonly<Record<string, Op>>;

  constructor(athena: AthenaModule) {
    const q = (): AthenaModule['service'] => athena.service;
    const wg = athena.workGroups;
    const nq = athena.namedQueries;
    const ps = athena.preparedStatements;
    const md = athena.metadata;
    this.#ops = {
      StartQueryExecution: (i) => q().startQueryExecution(i),
      GetQueryExecution: (i) => q().getQueryExecution(i),
      BatchGetQueryExecution: (i) => q().batchGetQueryExecution(i),
      ListQueryExecutions: (i) => q().listQueryExecutions(i),
      GetQueryResults: (i) => q().getQueryResults(i),
      StopQueryExecution: (i) => q().stopQueryExecution(i),
      CreateWorkGroup: (i) => wg.create(i),
      GetWorkGroup: (i) => wg.get(i),
      ListWorkGroups: (i) => wg.list(i),
      UpdateWorkGroup: (i) => wg.update(i),
      DeleteWorkGroup: (i) => wg.delete(i),
      CreateNamedQuery: (i) => nq.create(i),
      GetNamedQuery: (i) => nq.get(i),
      BatchGetNamedQuery: (i) => nq.batchGet(i),
      ListNamedQueries: (i) => nq.list(i),
      UpdateNamedQuery: (i) => nq.update(i),
      DeleteNamedQuery: (i) => nq.delete(i),
      CreatePreparedStatement: (i) => ps.create(i),
      GetPreparedStatement: (i) => ps.get(i),
      BatchGetPreparedStatement: (i) => ps.batchGet(i),
      ListPreparedStatements: (i) => ps.list(i),
      UpdatePreparedStatement: (i) => ps.update(i),
      DeletePreparedStatement: (i) => ps.delete(i),
      ListDataCatalogs: (i) => md.listDataCatalogs(i),
      GetDataCatalog: (i) => md.getDataCatalog(i),
      ListDatabases: (i) => md.listDatabases(i),
      GetDatabase: (i) => md.getDatabase(i),
      ListTableMetadata: (i) => md.listTableMetadata(i),
      GetTableMetadata: (i) => md.getTableMetadata(i),
      GetQueryRuntimeStatistics: (i) => q().getQueryRuntimeStatistics(i),
      TagResource: (i) => wg.tagResource(i),
      UntagResource: (i) => wg.untagResource(i),
      ListTagsForResource: (i) => wg.listTagsForResource(i),
      ListEngineVersions: () => ({ EngineVersions: [{ SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' }] }),
    };
  }

  async handle(operation: string, input: unknown): Promise<unknown> {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
    }
    const op = Object.hasOwn(this.#ops, operation) ? this.#ops[operation] : undefined;
    if (!op) throw AthenaErrors.unknownOperation(operation);
    return op(input as Json);
  }

  /** Athena error bodies use `Message` and carry `AthenaErrorCode`/`ErrorCode` (and the exception's other members). */
  errorFields(err: ServiceError): Record<string, string | number> {
    return { Message: err.message, ...err.details };
  }
}
