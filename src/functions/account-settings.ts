/** GetAccountSettings: the limits Lakebox enforces on functions and what the account uses of them. */
import { LambdaError } from './errors.js';
import { LIMITS, type FunctionRecord } from './model.js';
import { ACCOUNT_CONCURRENCY } from './reserved-concurrency.js';

/** Lambda's default code storage per account and Region (75 GB). */
export const TOTAL_CODE_BYTES = 80_530_636_800;

/** The account's limits and usage; UnreservedConcurrentExecutions is what reservations leave of the 1,000. */
export function accountSettings(functions: readonly FunctionRecord[]): Record<string, unknown> {
  const reserved = functions.reduce((n, f) => n + (f.reservedConcurrency ?? 0), 0);
  return {
    AccountLimit: {
      TotalCodeSize: TOTAL_CODE_BYTES,
      CodeSizeUnzipped: LIMITS.unzippedBytes,
      CodeSizeZipped: LIMITS.zipBytes,
      ConcurrentExecutions: ACCOUNT_CONCURRENCY,
      UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reserved,
    },
    AccountUsage: { TotalCodeSize: functions.reduce((n, f) => n + f.codeSize, 0), FunctionCount: functions.length },
  };
}

/** Refuses code that would take the account's code storage past TotalCodeSize (`replacing` is the function whose code it replaces). */
export function checkCodeStorage(functions: readonly FunctionRecord[], bytes: number, replacing?: string): void {
  const used = functions.reduce((n, f) => n + (f.name === replacing ? 0 : f.codeSize), 0);
  if (used + bytes > TOTAL_CODE_BYTES) throw new LambdaError('CodeStorageExceededException', `Code storage limit exceeded: ${used + bytes} bytes of ${TOTAL_CODE_BYTES}.`);
}
