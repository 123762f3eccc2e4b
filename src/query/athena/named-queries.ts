/** Athena named queries: Create (idempotent by ClientRequestToken), Get, BatchGet, List per work group, Update, Delete. */
import { randomUUID } from 'node:crypto';
import { AthenaErrors } from './athena-errors.js';
import type { AthenaStore } from './athena-store.js';
import { ATHENA_LIMITS } from './model.js';
import { decodeToken, encodeToken, maxResults, requiredString } from './paging.js';
import type { WorkGroups } from './workgroups.js';

type Json = Record<string, unknown>;

interface NamedQuery {
  NamedQueryId: string;
  Name: string;
  Description?: string;
  Database: string;
  QueryString: string;
  WorkGroup: string;
}

export class NamedQueries {
  constructor(
    private readonly store: AthenaStore,
    private readonly workGroups: WorkGroups,
  ) {}

  async create(i: Json): Promise<Json> {
    const name = requiredString(i.Name, 'name', 1, 128);
    const database = requiredString(i.Database, 'database', 1, 255);
    const query = requiredString(i.QueryString, 'queryString', 1, ATHENA_LIMITS.queryStringBytes);
    const wg = this.workGroups.require(i.WorkGroup);
    const token = typeof i.ClientRequestToken === 'string' ? i.ClientRequestToken : undefined;
    if (token !== undefined) {
      const existing = this.store.namedQueryByToken<NamedQuery>(token);
      if (existing) {
        if (existing.QueryString !== query || existing.Name !== name || existing.Database !== database) throw AthenaErrors.idempotentMismatch();
        return { NamedQueryId: existing.NamedQueryId };
      }
    }
    const nq: NamedQuery = {
      NamedQueryId: randomUUID(),
      Name: name,
      ...(typeof i.Description === 'string' ? { Description: i.Description } : {}),
      Database: database,
      QueryString: query,
      WorkGroup: wg.Name,
    };
    this.store.putDoc('named', nq.NamedQueryId, nq, wg.Name, token);
    await this.store.sync();
    return { NamedQueryId: nq.NamedQueryId };
  }

  #require(id: unknown): NamedQuery {
    const nq = this.store.getNamedQuery<NamedQuery>(requiredString(id, 'namedQueryId', 1, 128));
    if (!nq) throw AthenaErrors.invalidInput(`NamedQuery ${String(id)} was not found`);
    return nq;
  }

  get(i: Json): Json {
    return { NamedQuery: this.#require(i.NamedQueryId) };
  }

  batchGet(i: Json): Json {
    const ids = Array.isArray(i.NamedQueryIds) ? (i.NamedQueryIds as unknown[]) : [];
    if (ids.length < 1 || ids.length > ATHENA_LIMITS.batchGet) throw AthenaErrors.invalidInput(`NamedQueryIds must hold 1 to ${ATHENA_LIMITS.batchGet} ids`);
    const found: NamedQuery[] = [];
    const missing: Json[] = [];
    for (const id of ids) {
      const nq = typeof id === 'string' ? this.store.getNamedQuery<NamedQuery>(id) : undefined;
      if (nq) found.push(nq);
      else missing.push({ NamedQueryId: id, ErrorCode: 'INVALID_INPUT', ErrorMessage: `NamedQuery ${String(id)} was not found` });
    }
    return { NamedQueries: found, UnprocessedNamedQueryIds: missing };
  }

  list(i: Json): Json {
    const wg = this.workGroups.require(i.WorkGroup);
    const limit = maxResults(i.MaxResults, 0, ATHENA_LIMITS.listPage);
    const after = decodeToken<string>('nq', i.NextToken) ?? '';
    const ids = this.store.listNamedQueries(wg.Name, after, limit + 1);
    const page = ids.slice(0, limit);
    return { NamedQueryIds: page, ...(ids.length > limit && page.length > 0 ? { NextToken: encodeToken('nq', page[page.length - 1]) } : {}) };
  }

  async update(i: Json): Promise<Json> {
    const nq = this.#require(i.NamedQueryId);
    const next: NamedQuery = {
      ...nq,
      Name: requiredString(i.Name, 'name', 1, 128),
      QueryString: requiredString(i.QueryString, 'queryString', 1, ATHENA_LIMITS.queryStringBytes),
      ...(typeof i.Description === 'string' ? { Description: i.Description } : {}),
    };
    this.store.putDoc('named', nq.NamedQueryId, next, nq.WorkGroup, undefined);
    await this.store.sync();
    return {};
  }

  async delete(i: Json): Promise<Json> {
    const nq = this.#require(i.NamedQueryId);
    this.store.deleteNamedQuery(nq.NamedQueryId);
    await this.store.sync();
    return {};
  }
}
