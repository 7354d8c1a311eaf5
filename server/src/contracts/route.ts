import type { z, ZodType } from 'zod';

/**
 * A route contract: one HTTP route described as data. The server implements it
 * (`api.handle(contract, handler)` validates with its schemas and documents it in OpenAPI),
 * and the web app calls it (`request(contract, …)` builds the URL and takes its types from
 * it), so a route's method, path and types are written once, here. This module imports
 * only zod: the web app bundles the contracts.
 */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Access = 'public' | 'session';

export interface RouteContract {
  method: Method;
  /** Express style, e.g. `/api/drills/:id/report`: each `:name` is a key of `params`. */
  path: string;
  summary: string;
  /** The OpenAPI tag: the capability the route belongs to. */
  tag: string;
  access: Access;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  /** The 2xx response body; omitted for non-JSON responses such as CSV. */
  response?: ZodType;
  /** For non-JSON responses, what the body is. */
  produces?: string;
  /** A raw (non-JSON) request body, e.g. a CSV upload: its media type and size limit. */
  rawBody?: { type: string; limit: string };
  status?: number;
  /** Takes an Idempotency-Key header (a UUID per user action, resent on retries). */
  idempotent?: boolean;
}

/** Declares a route contract, keeping its literal method and path and its exact schemas in the type. */
export function defineRoute<const C extends RouteContract>(contract: C): C {
  return contract;
}

type Schema<C, K extends keyof RouteContract> = C extends { [key in K]: infer S extends ZodType } ? S : undefined;

/** What a part of the request is once validated (the server's view): z.output, or undefined without a schema. */
export type ParsedPart<C extends RouteContract, K extends 'params' | 'query' | 'body'> =
  Schema<C, K> extends ZodType ? z.output<Schema<C, K>> : undefined;

/** What a client sends as a part of the request: z.input, or undefined without a schema. */
export type SentPart<C extends RouteContract, K extends 'params' | 'query' | 'body'> =
  Schema<C, K> extends ZodType ? z.input<Schema<C, K>> : undefined;

/** What a handler may return: the response's z.input (the schema's defaults may still be missing), else nothing. */
export type HandlerResult<C extends RouteContract> = Schema<C, 'response'> extends ZodType ? z.input<Schema<C, 'response'>> : void;

/** What a client receives: the response's z.output; nothing without a response schema. */
export type ResponseOf<C extends RouteContract> = Schema<C, 'response'> extends ZodType ? z.output<Schema<C, 'response'>> : void;
