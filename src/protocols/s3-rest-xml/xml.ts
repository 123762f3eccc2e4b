/** XML reading and writing for the S3 REST-XML protocol, on fast-xml-parser. */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { StorageErrors } from '../../storage/errors.js';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
  format: false,
});

export type XmlValue = string | number | boolean | XmlNode | XmlValue[] | undefined;
export interface XmlNode {
  [name: string]: XmlValue;
}

/** Serializes `{Root: {...}}`; undefined members are left out, arrays become repeated (flattened) elements. */
export function toXml(rootName: string, body: XmlNode, namespace = true): string {
  const root: XmlNode = namespace ? { '@_xmlns': S3_NS, ...prune(body) } : prune(body);
  // A raw CR in text would reach clients as LF (XML end-of-line normalisation): keys like "a\rb"
  // must come back intact, so write it as a character reference. The builder emits no CR itself.
  return DECLARATION + builder.build({ [rootName]: root }).replace(/\r/g, '&#xD;');
}

function prune(node: XmlNode): XmlNode {
  const out: XmlNode = {};
  for (const [k, v] of Object.entries(node)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) out[k] = v.map((i) => (typeof i === 'object' && i !== null && !Array.isArray(i) ? prune(i) : i));
    else if (typeof v === 'object') out[k] = prune(v);
    else out[k] = typeof v === 'string' ? v : String(v);
  }
  return out;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  removeNSPrefix: true,
});

const XML_INVALID_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasInvalidCharReference(body: string): boolean {
  for (const m of body.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const ref = m[1]!;
    const cp = ref.startsWith('x') ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
    const valid =
      cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!valid) return true;
  }
  return false;
}

/** Parses a request body; anything that is not well-formed XML with the expected root is MalformedXML. */
export function parseXml(body: string, rootName: string): Record<string, unknown> {
  if (body.trim() === '' || XMLValidator.validate(body) !== true) throw StorageErrors.malformedXml();
  // Characters XML 1.0 forbids (raw or as references) make the document ill-formed, as S3 says.
  if (XML_INVALID_CHAR.test(body) || hasInvalidCharReference(body)) throw StorageErrors.malformedXml();
  const doc = parser.parse(body) as Record<string, unknown>;
  const root = doc[rootName];
  if (root === undefined) throw StorageErrors.malformedXml();
  if (typeof root === 'string') return {};
  return root as Record<string, unknown>;
}

/** Children with a given name as an array (single element or repeated). */
export function children(node: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const v = node[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((i) => (typeof i === 'object' && i !== null ? (i as Record<string, unknown>) : {}));
}

export function text(node: Record<string, unknown>, name: string): string | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const t = (v as Record<string, unknown>)['#text'];
    return typeof t === 'string' ? t : '';
  }
  throw StorageErrors.malformedXml();
}

export function isoDate(d: Date): string {
  return `${d.toISOString().slice(0, 19)}.000Z`;
}

export function httpDate(d: Date): string {
  return d.toUTCString();
}
