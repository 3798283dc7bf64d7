import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Why an XML body was refused. */
export class XmlRefused extends Error {
  constructor(
    readonly reason: 'unsafe' | 'malformed',
    detail: string,
  ) {
    super(detail);
    this.name = 'XmlRefused';
  }
}

/**
 * Parses XML from outside. A DOCTYPE or any entity declaration is refused before parsing (no entity
 * expansion at all, so no billion laughs and no external entities); only the five predefined
 * entities, HTML character names and numeric character references are decoded. Attributes come as `@_name`; namespace
 * prefixes are kept (`arxiv:doi`), so callers match the prefixes a source uses.
 */
export type XmlOptions = {
  /** Elements kept as arrays even when they appear once. */
  arrays?: ReadonlySet<string>;
  /**
   * Accept a DOCTYPE that only names an external DTD by public/system id, with no internal subset
   * (PubMed's EFetch always sends one). It is removed unread: nothing is fetched or expanded. An
   * internal subset or any entity declaration is still refused.
   */
  allowExternalDoctype?: boolean;
};

const EXTERNAL_DOCTYPE = /<!DOCTYPE\s+[\w:.-]+\s+(?:PUBLIC\s+("[^"]*"|'[^']*')\s+("[^"]*"|'[^']*')|SYSTEM\s+("[^"]*"|'[^']*'))\s*>/i;

export function parseXmlSafely(input: string, options: XmlOptions = {}): Record<string, unknown> {
  let text = input;
  if (options.allowExternalDoctype) text = text.replace(EXTERNAL_DOCTYPE, '');
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlRefused('unsafe', 'XML with a DOCTYPE or entity declarations is refused');
  }
  const arrays = options.arrays ?? new Set<string>();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new XmlRefused('malformed', `XML does not parse: ${valid.err.msg} at line ${valid.err.line}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    processEntities: true,
    // Numeric character references (&#233;) and named character entities decode to characters; no declared entity exists to expand.
    htmlEntities: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => arrays.has(name),
  });
  return parser.parse(text) as Record<string, unknown>;
}

/** The text of a parsed element, whether the parser gave a string or an object with `#text`. */
export function xmlText(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(xmlText).join(' ');
  if (typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if ('#text' in obj) return xmlText(obj['#text']);
    // Mixed content (<i>, <sup> inside a title): join the children's text.
    return Object.entries(obj)
      .filter(([k]) => !k.startsWith('@_'))
      .map(([, v]) => xmlText(v))
      .join(' ');
  }
  return '';
}

/** Always an array, for elements that appear once or many times. */
export function asArray<T>(node: T | T[] | undefined | null): T[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}
