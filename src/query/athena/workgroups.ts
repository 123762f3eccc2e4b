/** Athena work groups: `primary` always exists; Create/Get/List/Update/Delete, and the settings queries obey (output location, enforcement, scan cutoff, state). */
import { AthenaErrors } from './athena-errors.js';
import type { AthenaStore } from './athena-store.js';
import { ATHENA_LIMITS, ENGINE_VERSION, PRIMARY_WORKGROUP, type ResultConfiguration } from './model.js';
import { decodeToken, encodeToken, maxResults, requiredString, WORKGROUP_NAME } from './paging.js';

type Json = Record<string, unknown>;

export interface WorkGroupConfiguration {
  ResultConfiguration?: ResultConfiguration;
  EnforceWorkGroupConfiguration?: boolean;
  PublishCloudWatchMetricsEnabled?: boolean;
  BytesScannedCutoffPerQuery?: number;
  RequesterPaysEnabled?: boolean;
  EngineVersion?: Json;
  [k: string]: unknown;
}

export interface WorkGroup {
  Name: string;
  State: 'ENABLED' | 'DISABLED';
  Configuration: WorkGroupConfiguration;
  Description?: string;
  CreationTime: number;
  Tags?: { Key: string; Value: string }[];
}

/** Tags a resource may carry (Athena's limit). */
const MAX_TAGS = 50;

/** A Tags list as the API takes it: `{Key (1–128 chars), Value (0–256)}` entries. */
function tagList(value: unknown): { Key: string; Value: string }[] {
  if (!Array.isArray(value)) throw AthenaErrors.invalidInput('Tags must be a list of {Key, Value}');
  return value.map((t: unknown) => {
    const { Key, Value } = (t ?? {}) as { Key?: unknown; Value?: unknown };
    if (typeof Key !== 'string' || Key.length < 1 || Key.length > 128) throw AthenaErrors.invalidInput('Tag keys must be 1 to 128 characters');
    if (Value !== undefined && (typeof Value !== 'string' || Value.length > 256)) throw AthenaErrors.invalidInput('Tag values must be at most 256 characters');
    return { Key, Value: Value ?? '' };
  });
}

function validateConfiguration(c: WorkGroupConfiguration | undefined): void {
  const cutoff = c?.BytesScannedCutoffPerQuery;
  if (cutoff !== undefined && (typeof cutoff !== 'number' || cutoff < ATHENA_LIMITS.bytesScannedCutoffMin)) {
    throw AthenaErrors.invalidInput(
      `1 validation error detected: Value '${String(cutoff)}' at 'configuration.bytesScannedCutoffPerQuery' failed to satisfy constraint: Member must have value greater than or equal to ${ATHENA_LIMITS.bytesScannedCutoffMin}`,
    );
  }
  const ol = c?.ResultConfiguration?.OutputLocation;
  if (ol !== undefined && !/^s3:\/\/[^/]+/.test(ol)) throw AthenaErrors.invalidInput('outputLocation is not a valid S3 path.');
  checkResultEncryption(c?.ResultConfiguration);
}

/**
 * Result files are written as every object is, with SSE-S3; KMS keys are not managed here, so SSE_KMS and CSE_KMS
 * are refused rather than ignored.
 */
export function checkResultEncryption(rc: ResultConfiguration | undefined): void {
  const option = rc?.EncryptionConfiguration?.EncryptionOption;
  if (option === undefined || option === 'SSE_S3') return;
  if (option === 'SSE_KMS' || option === 'CSE_KMS') {
    throw AthenaErrors.invalidInput(`Encryption of query results with ${option} is not implemented by Lakebox; results are stored with SSE_S3.`);
  }
  throw AthenaErrors.invalidInput(
    `1 validation error detected: Value '${String(option)}' at 'resultConfiguration.encryptionConfiguration.encryptionOption' failed to satisfy constraint: Member must satisfy enum value set: [SSE_S3, SSE_KMS, CSE_KMS]`,
  );
}

export class WorkGroups {
  constructor(
    private readonly store: AthenaStore,
    private readonly accountId: string,
  ) {
    if (!store.getWorkGroup(PRIMARY_WORKGROUP)) {
      store.putDoc('workgroup', PRIMARY_WORKGROUP, {
        Name: PRIMARY_WORKGROUP,
        State: 'ENABLED',
        Configuration: { EnforceWorkGroupConfiguration: false, PublishCloudWatchMetricsEnabled: false, RequesterPaysEnabled: false, EngineVersion: ENGINE_VERSION },
        CreationTime: Date.now() / 1000,
      } satisfies WorkGroup);
    }
  }

  /** The work group a request names (default `primary`); InvalidRequestException when unknown. */
  require(name: unknown): WorkGroup {
    const n = name === undefined || name === null || name === '' ? PRIMARY_WORKGROUP : typeof name === 'string' ? name : JSON.stringify(name);
    const wg = this.store.getWorkGroup<WorkGroup>(n);
    if (!wg) throw AthenaErrors.workGroupNotFound();
    return wg;
  }

  async create(i: Json): Promise<Json> {
    const name = requiredString(i.Name, 'name', 1, 128);
    if (!WORKGROUP_NAME.test(name)) throw AthenaErrors.invalidInput(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}`);
    if (this.store.getWorkGroup(name)) throw AthenaErrors.invalidInput('WorkGroup is already created');
    const configuration = (i.Configuration ?? {}) as WorkGroupConfiguration;
    validateConfiguration(configuration);
    const wg: WorkGroup = {
      Name: name,
      State: 'ENABLED',
      Configuration: { EnforceWorkGroupConfiguration: true, PublishCloudWatchMetricsEnabled: true, RequesterPaysEnabled: false, ...configuration, EngineVersion: ENGINE_VERSION },
      CreationTime: Date.now() / 1000,
      ...(typeof i.Description === 'string' ? { Description: i.Description } : {}),
      ...(i.Tags !== undefined ? { Tags: tagList(i.Tags) } : {}),
    };
    if ((wg.Tags?.length ?? 0) > MAX_TAGS) throw AthenaErrors.invalidInput(`A resource can have at most ${MAX_TAGS} tags`);
    this.store.putDoc('workgroup', name, wg);
    await this.store.sync();
    return {};
  }

  get(i: Json): Json {
    const wg = this.require(requiredString(i.WorkGroup, 'workGroup', 1, 128));
    const { Tags: _t, ...out } = wg;
    return { WorkGroup: out };
  }

  list(i: Json): Json {
    const limit = maxResults(i.MaxResults, 1, ATHENA_LIMITS.listPage);
    const after = decodeToken<string>('wg', i.NextToken) ?? '';
    const items = this.store.listWorkGroups<WorkGroup>(after, limit + 1);
    const page = items.slice(0, limit);
    return {
      WorkGroups: page.map((w) => ({ Name: w.Name, State: w.State, Description: w.Description ?? '', CreationTime: w.CreationTime, EngineVersion: ENGINE_VERSION })),
      ...(items.length > limit ? { NextToken: encodeToken('wg', page[page.length - 1]!.Name) } : {}),
    };
  }

  async update(i: Json): Promise<Json> {
    const wg = this.require(requiredString(i.WorkGroup, 'workGroup', 1, 128));
    const u = (i.ConfigurationUpdates ?? {}) as Json;
    const c: WorkGroupConfiguration = { ...wg.Configuration };
    const rc: Json = { ...(c.ResultConfiguration ?? {}) };
    const ru = (u.ResultConfigurationUpdates ?? {}) as Json;
    for (const f of ['OutputLocation', 'EncryptionConfiguration', 'ExpectedBucketOwner', 'AclConfiguration']) {
      if (ru[f] !== undefined) rc[f] = ru[f];
      if (ru[`Remove${f}`] === true) delete rc[f];
    }
    c.ResultConfiguration = rc;
    for (const f of ['EnforceWorkGroupConfiguration', 'PublishCloudWatchMetricsEnabled', 'BytesScannedCutoffPerQuery', 'RequesterPaysEnabled']) {
      if (u[f] !== undefined) c[f] = u[f];
    }
    if (u.RemoveBytesScannedCutoffPerQuery === true) delete c.BytesScannedCutoffPerQuery;
    validateConfiguration(c);
    const next: WorkGroup = { ...wg, Configuration: c };
    if (typeof i.Description === 'string') next.Description = i.Description;
    if (i.State === 'ENABLED' || i.State === 'DISABLED') next.State = i.State;
    this.store.putDoc('workgroup', wg.Name, next);
    await this.store.sync();
    return {};
  }

  async delete(i: Json): Promise<Json> {
    const name = requiredString(i.WorkGroup, 'workGroup', 1, 128);
    if (name === PRIMARY_WORKGROUP) throw AthenaErrors.invalidInput('Cannot delete primary workgroup');
    this.require(name);
    this.store.deleteWorkGroup(name);
    await this.store.sync();
    return {};
  }

  /** TagResource: work groups are the taggable resources here (their ARN: `arn:aws:athena:<region>:<account>:workgroup/<name>`). */
  async tagResource(i: Json): Promise<Json> {
    const wg = this.#tagged(i.ResourceARN);
    const tags = tagList(i.Tags);
    const merged = new Map((wg.Tags ?? []).map((t) => [t.Key, t]));
    for (const t of tags) merged.set(t.Key, t);
    if (merged.size > MAX_TAGS) throw AthenaErrors.invalidInput(`A resource can have at most ${MAX_TAGS} tags`);
    this.store.putDoc('workgroup', wg.Name, { ...wg, Tags: [...merged.values()] });
    await this.store.sync();
    return {};
  }

  async untagResource(i: Json): Promise<Json> {
    const wg = this.#tagged(i.ResourceARN);
    if (!Array.isArray(i.TagKeys) || !i.TagKeys.every((k) => typeof k === 'string')) throw AthenaErrors.invalidInput('TagKeys must be a list of strings');
    const drop = new Set(i.TagKeys);
    this.store.putDoc('workgroup', wg.Name, { ...wg, Tags: (wg.Tags ?? []).filter((t) => !drop.has(t.Key)) });
    await this.store.sync();
    return {};
  }

  listTagsForResource(i: Json): Json {
    const tags = this.#tagged(i.ResourceARN).Tags ?? [];
    const limit = maxResults(i.MaxResults, 75, ATHENA_LIMITS.listPage);
    const start = decodeToken<number>('tags', i.NextToken) ?? 0;
    const page = tags.slice(start, start + limit);
    return { Tags: page, ...(start + page.length < tags.length ? { NextToken: encodeToken('tags', start + page.length) } : {}) };
  }

  #tagged(arn: unknown): WorkGroup {
    const value = requiredString(arn, 'resourceARN', 1, 1011);
    const m = /^arn:aws[a-z-]*:athena:[a-z0-9-]+:(\d{12}):(workgroup|datacatalog|capacity-reservation)\/(.+)$/.exec(value);
    if (!m) throw AthenaErrors.invalidInput(`Invalid ARN: ${value}`);
    const wg = m[1] === this.accountId && m[2] === 'workgroup' ? this.store.getWorkGroup<WorkGroup>(m[3]!) : undefined;
    if (!wg) throw AthenaErrors.resourceNotFound(`The resource ${value} was not found.`, value);
    return wg;
  }

  /** Where a query's results go: the work group's location wins when enforced, else the request's, else the work group's. */
  outputLocation(wg: WorkGroup, requested: ResultConfiguration | undefined): ResultConfiguration {
    const own = wg.Configuration.ResultConfiguration;
    if (wg.Configuration.EnforceWorkGroupConfiguration === true && own?.OutputLocation) return own;
    if (requested?.OutputLocation) return { ...own, ...requested };
    if (own?.OutputLocation) return own;
    throw AthenaErrors.noOutputLocation();
  }
}
