/** Typed Glue Data Catalog errors with AWS's codes and messages; every one is a client error (HTTP 400). */
import { ServiceError } from '../shared/service-error.js';

export class CatalogError extends ServiceError {}

export const CATALOG_ERROR_STATUS: Readonly<Record<string, number>> = {
  EntityNotFoundException: 400,
  AlreadyExistsException: 400,
  InvalidInputException: 400,
  ResourceNumberLimitExceededException: 400,
  ConcurrentModificationException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
  InternalServiceException: 500,
};

export const CatalogErrors = {
  databaseNotFound: (name: string) => new CatalogError('EntityNotFoundException', `Database ${name} not found.`),
  tableNotFound: (name: string) => new CatalogError('EntityNotFoundException', `Table ${name} not found.`),
  partitionNotFound: () => new CatalogError('EntityNotFoundException', 'Cannot find partition.'),
  versionNotFound: (table: string, versionId: string) =>
    new CatalogError('EntityNotFoundException', `Version ${versionId} of table ${table} not found.`),
  databaseExists: () => new CatalogError('AlreadyExistsException', 'Database already exists.'),
  tableExists: () => new CatalogError('AlreadyExistsException', 'Table already exists.'),
  partitionExists: () => new CatalogError('AlreadyExistsException', 'Partition already exists.'),
  invalidInput: (message: string) => new CatalogError('InvalidInputException', message),
  limitExceeded: (message: string) => new CatalogError('ResourceNumberLimitExceededException', message),
  concurrentModification: (message: string) => new CatalogError('ConcurrentModificationException', message),
  unknownOperation: (operation: string) =>
    new CatalogError('UnknownOperationException', `Operation ${operation} is not supported by Lakebox's Glue yet.`),
} as const;

/** Glue's per-item batch error detail, built from a CatalogError. */
export function errorDetail(err: unknown): { ErrorCode: string; ErrorMessage: string } {
  if (err instanceof ServiceError) return { ErrorCode: err.code, ErrorMessage: err.message };
  return { ErrorCode: 'InternalServiceException', ErrorMessage: 'Internal service error.' };
}
