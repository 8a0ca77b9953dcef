import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { parse } from 'yaml';

/** The v1 contract every response of the API is checked against. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi/v1.yaml', import.meta.url));

const DOC_ID = 'openapi';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** What API Gateway itself may answer on any path, whatever the route: throttling and its own failures. */
const GATEWAY_STATUSES = new Set([413, 429, 500, 502, 504]);

interface ResponseObject {
  headers?: Record<string, { required?: boolean; schema?: unknown; $ref?: string }>;
  content?: Record<string, { schema?: unknown }>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ResponseToCheck {
  method: string;
  /** Path as sent, a query string allowed. */
  path: string;
  status: number;
  headers: Headers | Record<string, string>;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function loadContract() {
  const doc: Json = parse(readFileSync(OPENAPI_PATH, 'utf8'));
  // The document is not itself a schema; its schemas are reached by JSON pointer into it.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  (formats as unknown as { default: (ajv: Ajv2020) => void }).default(ajv);
  ajv.addSchema(doc, DOC_ID);
  const compiled = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let validate = compiled.get(pointer);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };
  /** Follows a local `$ref` (responses, headers), answering the target and its pointer. */
  const resolve = (value: Json, pointer: string): { value: Json; pointer: string } => {
    if (value === undefined || typeof value.$ref !== 'string') return { value, pointer };
    const target = value.$ref.replace(/^#/, '');
    const found = pointerValue(doc, target);
    if (found === undefined) throw new Error(`openapi: unresolved $ref ${value.$ref}`);
    return resolve(found, target);
  };
  const templates = Object.keys(doc.paths as object).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  }));
  return { doc, validator, resolve, templates };
}

let contract: ReturnType<typeof loadContract> | undefined;

function headerValue(headers: ResponseToCheck['headers'], name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  const wanted = name.toLowerCase();
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === wanted);
  return found?.[1] ?? null;
}

function describe(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`).join('; ');
}

/**
 * Checks one response against openapi/v1.yaml: the status is documented for the operation, the
 * JSON body matches its schema and the documented headers are present and valid. Paths outside
 * `/v1/` (the demo page) are not part of the API and pass. Throws an Error saying what is wrong.
 */
export function validateResponse(response: ResponseToCheck): void {
  contract ??= loadContract();
  const { doc, validator, resolve, templates } = contract;
  const path = response.path.split('?')[0]!;
  if (!path.startsWith('/v1/') && path !== '/v1') return;
  const method = response.method.toLowerCase();
  const where = `${response.method.toUpperCase()} ${response.path} → ${response.status}`;

  const matched = templates.find(({ pattern }) => pattern.test(path));
  let responsePointer: string;
  if (matched === undefined) {
    // Unknown routes are documented in info.description: 404 with the client error body.
    if (response.status === 404) responsePointer = '/components/responses/NotFound';
    else if (GATEWAY_STATUSES.has(response.status)) responsePointer = gatewayResponse(response.status);
    else throw new Error(`${where}: no documented path matches, so only 404 is expected`);
  } else {
    const pathItem = doc.paths[matched.template];
    const operationPointer = `/paths/${escapePointer(matched.template)}/${method}`;
    if (!(HTTP_METHODS as readonly string[]).includes(method) || pathItem[method] === undefined) {
      if (response.status === 405) responsePointer = '/components/responses/MethodNotAllowed';
      else if (GATEWAY_STATUSES.has(response.status)) responsePointer = gatewayResponse(response.status);
      else throw new Error(`${where}: ${matched.template} documents no ${method.toUpperCase()}, so 405 is expected`);
    } else if (pathItem[method].responses[String(response.status)] !== undefined) {
      responsePointer = `${operationPointer}/responses/${response.status}`;
    } else {
      const documented = Object.keys(pathItem[method].responses).join(', ');
      throw new Error(`${where}: status ${response.status} is not documented (documented: ${documented})`);
    }
  }

  const { value, pointer } = resolve(pointerValue(doc, responsePointer), responsePointer);
  const definition = value as ResponseObject;

  for (const [name, rawHeader] of Object.entries(definition.headers ?? {})) {
    const { value: header, pointer: headerPointer } = resolve(rawHeader, `${pointer}/headers/${escapePointer(name)}`);
    const actual = headerValue(response.headers, name);
    if (actual === null) {
      if (rawHeader.required === true || header.required === true) throw new Error(`${where}: missing required header ${name}`);
      continue;
    }
    if (header.schema !== undefined) {
      const validate = validator(`${headerPointer}/schema`);
      if (!validate(actual)) throw new Error(`${where}: header ${name}: ${JSON.stringify(actual)} ${describe(validate)}`);
    }
  }

  const content = definition.content?.['application/json'];
  if (content === undefined) {
    if (response.body !== undefined) throw new Error(`${where}: documented without a body, got ${JSON.stringify(response.body).slice(0, 200)}`);
    return;
  }
  if (response.body === undefined) throw new Error(`${where}: expected a JSON body, got none (or not JSON)`);
  const validate = validator(`${pointer}/content/application~1json/schema`);
  if (!validate(response.body)) {
    throw new Error(`${where}: body does not match the schema: ${describe(validate)}\nbody: ${JSON.stringify(response.body).slice(0, 500)}`);
  }
}

function pointerValue(doc: Json, pointer: string): Json {
  return pointer
    .split('/')
    .slice(1)
    .reduce((node: Json, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function gatewayResponse(status: number): string {
  const names: Record<number, string> = { 413: 'TooLarge', 429: 'Throttled', 500: 'InternalError', 502: 'BadGateway', 504: 'GatewayTimeout' };
  return `/components/responses/${names[status]}`;
}

/** Checks a webhook's body against openapi/v1.yaml's `WebhookEvent`; throws saying what is wrong. */
export function validateWebhookBody(body: unknown): void {
  contract ??= loadContract();
  const validate = contract.validator('/components/schemas/WebhookEvent');
  if (!validate(body)) throw new Error(`webhook body does not match WebhookEvent: ${describe(validate)}\nbody: ${JSON.stringify(body).slice(0, 500)}`);
}
