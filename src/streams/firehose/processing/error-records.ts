/** Error output documents in Firehose's shapes (one JSON line per failed record) and the error-output-type names. */

export const ErrorOutputType = {
  processingFailed: 'processing-failed',
  formatConversionFailed: 'format-conversion-failed',
  metadataExtractionFailed: 'metadata-extraction-failed',
  activePartitionExceeded: 'activePartitionExceeded',
} as const;
export type ErrorOutputType = (typeof ErrorOutputType)[keyof typeof ErrorOutputType];

export interface FailedRecord {
  readonly data: Buffer;
  readonly arrival: number;
  readonly attemptsMade: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attemptEndingTimestamp: number;
}

/** `processing-failed`, `metadata-extraction-failed` and `activePartitionExceeded` records (plus `lambdaARN` for Lambda failures). */
export function errorDocument(r: FailedRecord, lambdaArn?: string): Buffer {
  const doc: Record<string, unknown> = {
    attemptsMade: r.attemptsMade,
    arrivalTimestamp: r.arrival,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    attemptEndingTimestamp: r.attemptEndingTimestamp,
    rawData: r.data.toString('base64'),
  };
  if (lambdaArn !== undefined) doc.lambdaARN = lambdaArn;
  return Buffer.from(`${JSON.stringify(doc)}\n`);
}

export interface CatalogTableRef {
  readonly catalogId: string;
  readonly databaseName: string;
  readonly tableName: string;
  readonly region: string;
  readonly versionId: string;
  readonly catalogArn: string;
}

/** `format-conversion-failed` records use lastErrorCode/lastErrorMessage and name the Glue table. */
export function conversionErrorDocument(r: FailedRecord, table: CatalogTableRef): Buffer {
  const doc = {
    attemptsMade: r.attemptsMade,
    arrivalTimestamp: r.arrival,
    lastErrorCode: r.errorCode,
    lastErrorMessage: r.errorMessage,
    attemptEndingTimestamp: r.attemptEndingTimestamp,
    rawData: r.data.toString('base64'),
    dataCatalogTable: table,
  };
  return Buffer.from(`${JSON.stringify(doc)}\n`);
}
