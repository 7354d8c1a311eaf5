import { z } from 'zod';
import type { RegisteredRoute } from './api-router.js';
import { errorResponseSchema } from '../../contracts/common.js';
import { IDEMPOTENCY_HEADER, idempotencyKeySchema } from './idempotency.js';

/** OpenAPI 3.1 from the registered routes; JSON Schema 2020-12 is what zod emits and 3.1 speaks. */
export function buildOpenApiDocument(routes: RegisteredRoute[], info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  const errorContent = { 'application/json': { schema: jsonSchema(errorResponseSchema, 'output') } };

  for (const { method, path, spec } of routes) {
    const openApiPath = path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
      if (!schema) continue;
      const object = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(object.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (object.required ?? []).includes(name), schema: property });
      }
    }
    if (spec.idempotent) {
      parameters.push({
        name: IDEMPOTENCY_HEADER,
        in: 'header',
        required: false,
        description: 'A UUID made once per user action and sent again with each retry of it: the action is stored once, and a retry is answered like the first.',
        schema: jsonSchema(idempotencyKeySchema, 'input'),
      });
    }
    const success = String(spec.status ?? (spec.response || spec.produces ? 200 : 204));
    const responses: Record<string, unknown> = {
      [success]: {
        description: 'Success',
        ...(spec.response && { content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }),
        ...(spec.produces && { content: { [spec.produces]: { schema: { type: 'string' } } } }),
      },
      '400': { description: 'Invalid input: the message and `field` name what is wrong', content: errorContent },
    };
    if (spec.access === 'session') {
      responses['401'] = { description: 'Not logged in', content: errorContent };
      responses['403'] = { description: 'Not allowed for this role', content: errorContent };
    }
    if (spec.idempotent) responses['422'] = { description: 'The Idempotency-Key was already used for another request', content: errorContent };
    responses['503'] = { description: 'The database is briefly unavailable: retry after the Retry-After header’s seconds', content: errorContent };
    if (spec.rawBody || spec.body) responses['413'] = { description: 'Request body too large', content: errorContent };
    paths[openApiPath] ??= {};
    paths[openApiPath][method] = {
      summary: spec.summary,
      tags: [spec.tag],
      ...(parameters.length && { parameters }),
      ...(spec.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } }),
      ...(spec.rawBody && {
        requestBody: { required: true, content: { [spec.rawBody.type]: { schema: { type: 'string', format: 'binary' } } } },
      }),
      ...(spec.access === 'session' && { security: [{ session: [] }] }),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: { title: 'tonari API', version: info.version, description: 'Circulars, watching and safety confirmation for neighbourhood associations.' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'tonari_session', description: 'Plus the X-CSRF-Token header on every state-changing request.' },
      },
    },
    paths,
  };
}
