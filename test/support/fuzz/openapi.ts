import { call } from "../http";

/** The subset of JSON Schema (OpenAPI 3.1) our zod-to-openapi output uses. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: Schema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface RawOperation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  security?: Record<string, string[]>[];
}

/** One documented operation, with what a request to it needs. */
export interface Operation {
  /** `METHOD path`, unique; the test name. */
  key: string;
  operationId: string;
  method: string;
  /** The OpenAPI path template (`/…/{user_id}`). */
  path: string;
  parameters: Parameter[];
  body?: { contentType: string; schema: Schema; required: boolean };
  /** Security scheme names the operation needs together (one requirement object). */
  security: string[];
}

export async function fetchOpenApi(): Promise<OpenApiDocument> {
  const res = await call("/openapi.json");
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  return (await res.json()) as OpenApiDocument;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Every operation of the document, in document order. */
export function operations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => {
        const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
        return {
          key: `${method.toUpperCase()} ${path}`,
          operationId: op.operationId ?? `${method} ${path}`,
          method: method.toUpperCase(),
          path,
          parameters: op.parameters ?? [],
          ...(contentType && media ? { body: { contentType, schema: media.schema, required: op.requestBody?.required ?? false } } : {}),
          security: Object.keys(op.security?.[0] ?? {}),
        };
      }),
  );
}

/** Follows `$ref`s into `components.schemas`. */
export function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; current.$ref; depth++) {
    const name = current.$ref.replace("#/components/schemas/", "");
    const target = doc.components?.schemas?.[name];
    if (!target || depth > 20) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = target;
  }
  return current;
}
