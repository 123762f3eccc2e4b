/** Athena prepared statements per work group: the API (Create/Get/BatchGet/List/Update/Delete) and the store `PREPARE`/`EXECUTE`/`DEALLOCATE PREPARE` use. */
import { AthenaErrors } from './athena-errors.js';
import type { AthenaStore } from './athena-store.js';
import { ATHENA_LIMITS } from './model.js';
import { decodeToken, encodeToken, maxResults, requiredString } from './paging.js';
import type { WorkGroups } from './workgroups.js';

type Json = Record<string, unknown>;

export interface PreparedStatement {
  StatementName: string;
  QueryStatement: string;
  WorkGroupName: string;
  Description?: string;
  LastModifiedTime: number;
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_@:]{1,256}$/;

export class PreparedStatements {
  constructor(
    private readonly store: AthenaStore,
    private readonly workGroups: WorkGroups,
  ) {}

  #name(value: unknown): string {
    const name = requiredString(value, 'statementName', 1, 256);
    if (!NAME.test(name)) throw AthenaErrors.invalidInput(`1 validation error detected: Value '${name}' at 'statementName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z_][a-zA-Z0-9_@:]{1,256}`);
    return name;
  }

  /** Stores (creates or replaces) a statement; used by the API and by `PREPARE`. */
  async put(workGroup: string, name: string, statement: string, description?: string): Promise<void> {
    this.store.putPrepared(workGroup, name, {
      StatementName: name,
      QueryStatement: statement,
      WorkGroupName: workGroup,
      ...(description !== undefined ? { Description: description } : {}),
      LastModifiedTime: Date.now() / 1000,
    } satisfies PreparedStatement);
    await this.store.sync();
  }

  lookup(workGroup: string, name: string): PreparedStatement | undefined {
    return this.store.getPrepared<PreparedStatement>(workGroup, name);
  }

  async remove(workGroup: string, name: string): Promise<boolean> {
    const removed = this.store.deletePrepared(workGroup, name);
    await this.store.sync();
    return removed;
  }

  async create(i: Json): Promise<Json> {
    const wg = this.workGroups.require(requiredString(i.WorkGroup, 'workGroup', 1, 128));
    const name = this.#name(i.StatementName);
    if (this.lookup(wg.Name, name)) throw AthenaErrors.invalidInput(`Prepared statement ${name} already exists in WorkGroup ${wg.Name}`);
    await this.put(wg.Name, name, requiredString(i.QueryStatement, 'queryStatement', 1, ATHENA_LIMITS.queryStringBytes), typeof i.Description === 'string' ? i.Description : undefined);
    return {};
  }

  #require(i: Json): PreparedStatement {
    const wg = this.workGroups.require(requiredString(i.WorkGroup, 'workGroup', 1, 128));
    const name = this.#name(i.StatementName);
    const ps = this.lookup(wg.Name, name);
    if (!ps) throw AthenaErrors.resourceNotFound(`Prepared statement ${name} was not found in WorkGroup ${wg.Name}`, name);
    return ps;
  }

  get(i: Json): Json {
    return { PreparedStatement: this.#require(i) };
  }

  batchGet(i: Json): Json {
    const wg = this.workGroups.require(requiredString(i.WorkGroup, 'workGroup', 1, 128));
    const names = Array.isArray(i.PreparedStatementNames) ? (i.PreparedStatementNames as unknown[]) : [];
    const found: PreparedStatement[] = [];
    const missing: Json[] = [];
    for (const n of names) {
      const ps = typeof n === 'string' ? this.lookup(wg.Name, n) : undefined;
      if (ps) found.push(ps);
      else missing.push({ StatementName: n, ErrorCode: 'RESOURCE_NOT_FOUND', ErrorMessage: `Prepared statement ${String(n)} was not found` });
    }
    return { PreparedStatements: found, UnprocessedPreparedStatementNames: missing };
  }

  list(i: Json): Json {
    const wg = this.workGroups.require(requiredString(i.WorkGroup, 'workGroup', 1, 128));
    const limit = maxResults(i.MaxResults, 1, ATHENA_LIMITS.listPage);
    const after = decodeToken<string>('ps', i.NextToken) ?? '';
    const items = this.store.listPrepared<PreparedStatement>(wg.Name, after, limit + 1);
    const page = items.slice(0, limit);
    return {
      PreparedStatements: page.map((p) => ({ StatementName: p.StatementName, LastModifiedTime: p.LastModifiedTime })),
      ...(items.length > limit ? { NextToken: encodeToken('ps', page[page.length - 1]!.StatementName) } : {}),
    };
  }

  async update(i: Json): Promise<Json> {
    const ps = this.#require(i);
    await this.put(ps.WorkGroupName, ps.StatementName, requiredString(i.QueryStatement, 'queryStatement', 1, ATHENA_LIMITS.queryStringBytes), typeof i.Description === 'string' ? i.Description : ps.Description);
    return {};
  }

  async delete(i: Json): Promise<Json> {
    const ps = this.#require(i);
    await this.remove(ps.WorkGroupName, ps.StatementName);
    return {};
  }
}
