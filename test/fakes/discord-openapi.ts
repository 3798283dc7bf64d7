import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Validates the request bodies the bot sends against Discord's own OpenAPI description
 * (a copy in ./discord-spec, see SOURCE.md there), so Discord's limits (content
 * length, embed sizes, component counts, choice lengths …) are checked from the source rather than
 * restated by hand. The fake Discord calls this for every body it receives.
 */
const SPEC_PATH = process.env.DISCORD_OPENAPI_SPEC ?? fileURLToPath(new URL('./discord-spec/discord-openapi.json', import.meta.url));

type Operation = { method: string; template: string; pattern: RegExp; schema: unknown };

type JsonContent = { content?: Record<string, { schema?: unknown }> };

type Spec = {
  paths: Record<string, Record<string, { requestBody?: JsonContent; responses?: Record<string, JsonContent> }>>;
  components: unknown;
};

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => void;

export type DiscordRequestValidator = {
  /** Problems with `body` for `method path` (path as received, under /api/v10); empty when valid. */
  validate(method: string, path: string, body: unknown): string[];
  /** Whether the spec describes a JSON body for this route at all. */
  knows(method: string, path: string): boolean;
  /** Problems with a 200 response `body` the fake sends for `method path` (GET /gateway/bot); empty when valid. */
  validateResponse(method: string, path: string, body: unknown): string[];
};

let shared: DiscordRequestValidator | undefined;

/** One validator per process: compiling Discord's schemas takes a moment and they never change. */
export function discordRequestValidator(): DiscordRequestValidator {
  shared ??= createValidator(JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec);
  return shared;
}

function createAjv(spec: Spec, allErrors: boolean): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors, validateFormats: true });
  addFormats(ajv);
  // Discord's own format names: numeric widths and ids are already constrained by type/pattern.
  for (const name of ['int32', 'int64', 'double', 'nonce', 'snowflake']) ajv.addFormat(name, true);
  ajv.addSchema({ $id: 'discord', components: spec.components } as object);
  return ajv;
}

function createValidator(spec: Spec): DiscordRequestValidator {
  // A first pass that stops at the first error is several times faster; only a failing body is
  // checked again with every error collected, for the message.
  const fast = createAjv(spec, false);
  let detailed: Ajv2020 | undefined;

  const operationsWith = (schemaOf: (op: { requestBody?: JsonContent; responses?: Record<string, JsonContent> }) => unknown): Operation[] => {
    const operations: Operation[] = [];
    for (const [template, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const schema = op && schemaOf(op);
        if (!schema) continue;
        operations.push({ method: method.toUpperCase(), template, pattern: templatePattern(template), schema });
      }
    }
    // A literal segment (`@original`) must win over a parameter (`{message_id}`).
    return operations.sort((a, b) => paramCount(a.template) - paramCount(b.template));
  };
  const operations = operationsWith((op) => op.requestBody?.content?.['application/json']?.schema);
  const responses = operationsWith((op) => op.responses?.['200']?.content?.['application/json']?.schema);

  const compiled = new Map<string, ValidateFunction>();
  const compiledDetailed = new Map<string, ValidateFunction>();
  const findIn = (list: Operation[], method: string, path: string) => {
    const clean = decodeURIComponent(path.split('?')[0]).replace(/^\/api\/v\d+/, '');
    return list.find((o) => o.method === method.toUpperCase() && o.pattern.test(clean));
  };
  const find = (method: string, path: string) => findIn(operations, method, path);
  const check = (op: Operation, key: string, body: unknown): string[] => {
    let fn = compiled.get(key);
    if (!fn) {
      fn = fast.compile(rebase(op.schema) as object);
      compiled.set(key, fn);
    }
    if (fn(body)) return [];
    let full = compiledDetailed.get(key);
    if (!full) {
      detailed ??= createAjv(spec, true);
      full = detailed.compile(rebase(op.schema) as object);
      compiledDetailed.set(key, full);
    }
    full(body);
    return describe(full.errors ?? fn.errors ?? [], `${op.method} ${op.template}`);
  };

  return {
    knows: (method, path) => find(method, path) !== undefined,
    validateResponse(method, path, body) {
      const op = findIn(responses, method, path);
      if (!op) return [`no 200 response schema in Discord's OpenAPI description for ${method} ${path}`];
      return check(op, `response ${op.method}${op.template}`, body);
    },
    validate(method, path, body) {
      const op = find(method, path);
      if (!op) return [`no request body schema in Discord's OpenAPI description for ${method} ${path}`];
      return check(op, op.method + op.template, body);
    },
  };
}

function templatePattern(template: string): RegExp {
  const escaped = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

function paramCount(template: string): number {
  return (template.match(/\{/g) ?? []).length;
}

/** Points the operation's local `#/components/...` references at the registered spec document. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"discord#/components/'));
}

/**
 * anyOf/oneOf failures list every branch's errors. A broken limit (`/embeds/0/title must NOT have
 * more than 256 characters`) says what is wrong; otherwise the errors at the deepest path do.
 */
const LIMIT_KEYWORDS = new Set(['maxLength', 'minLength', 'maxItems', 'minItems', 'maximum', 'minimum', 'format', 'pattern', 'uniqueItems', 'maxProperties']);

function describe(errors: ErrorObject[], route: string): string[] {
  const limits = errors.filter((e) => LIMIT_KEYWORDS.has(e.keyword));
  const deepest = Math.max(...errors.map((e) => e.instancePath.split('/').length));
  const chosen = limits.length ? limits : errors.filter((e) => e.instancePath.split('/').length === deepest);
  return [...new Set(chosen.map((e) => `${route}: ${e.instancePath || '(body)'} ${e.message ?? e.keyword}`))];
}
