/** Glue resource tags (TagResource, UntagResource, GetTags) by ARN, for the taggable resources Lakebox has: databases and crawlers. */
import { CatalogError, CatalogErrors } from './errors.js';

type Json = Record<string, unknown>;
type Tags = Record<string, string>;

/** Tags a Glue resource may carry. */
export const MAX_TAGS = 50;

/** Where one kind of resource keeps its tags. */
export interface TagHolder {
  /** The resource's tags, or undefined when it does not exist. */
  get(name: string): Tags | undefined;
  /** Replaces the resource's tags (it exists) and makes them durable. */
  set(name: string, tags: Tags): Promise<void>;
}

/** A Glue tag map (`Tags`, `TagsToAdd`): at most 50 entries, keys of 1–128 characters, values of at most 256. */
export function tagMap(value: unknown, field: string): Tags {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw CatalogErrors.invalidInput(`${field} must be a map of strings.`);
  const entries = Object.entries(value as Json);
  if (entries.length > MAX_TAGS) throw CatalogErrors.invalidInput(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TAGS}`);
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 128) throw CatalogErrors.invalidInput(`Tag keys must be 1 to 128 characters: '${k}'.`);
    if (typeof v !== 'string' || v.length > 256) throw CatalogErrors.invalidInput(`The value of tag '${k}' must be a string of at most 256 characters.`);
  }
  return value as Tags;
}

export class GlueTagging {
  constructor(
    private readonly accountId: string,
    /** Holders by the resource type of the ARN (`database`, `crawler`). */
    private readonly holders: Readonly<Record<string, TagHolder | undefined>>,
  ) {}

  getTags(i: Json): Json {
    const { holder, name } = this.#resolve(i.ResourceArn);
    return { Tags: this.#current(holder, name, i.ResourceArn) };
  }

  async tagResource(i: Json): Promise<Json> {
    const { holder, name } = this.#resolve(i.ResourceArn);
    const next = { ...this.#current(holder, name, i.ResourceArn), ...tagMap(i.TagsToAdd, 'tagsToAdd') };
    if (Object.keys(next).length > MAX_TAGS) throw CatalogErrors.invalidInput(`A resource can have at most ${MAX_TAGS} tags.`);
    await holder.set(name, next);
    return {};
  }

  async untagResource(i: Json): Promise<Json> {
    const { holder, name } = this.#resolve(i.ResourceArn);
    const keys = i.TagsToRemove;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw CatalogErrors.invalidInput('tagsToRemove must be a list of strings.');
    const next = { ...this.#current(holder, name, i.ResourceArn) };
    for (const k of keys) delete next[k];
    await holder.set(name, next);
    return {};
  }

  #current(holder: TagHolder, name: string, arn: unknown): Tags {
    const tags = holder.get(name);
    if (!tags) throw new CatalogError('EntityNotFoundException', `Resource ${String(arn)} not found.`);
    return tags;
  }

  #resolve(arn: unknown): { holder: TagHolder; name: string } {
    if (typeof arn !== 'string' || arn.length < 1 || arn.length > 10240) throw CatalogErrors.invalidInput('resourceArn must be a string of 1 to 10240 characters.');
    const m = /^arn:aws[a-z-]*:glue:[a-z0-9-]+:(\d{12}):([a-zA-Z]+)\/(.+)$/.exec(arn);
    if (!m) throw CatalogErrors.invalidInput(`Invalid ARN: ${arn}`);
    const [, account, type, name] = m;
    const holder = this.holders[type!];
    if (!holder) throw CatalogErrors.invalidInput(`Lakebox does not support tags on ${type} resources (databases and crawlers can be tagged).`);
    if (account !== this.accountId) throw new CatalogError('EntityNotFoundException', `Resource ${arn} not found.`);
    return { holder, name: name! };
  }
}
