import express, { type NextFunction, type Request, type Response, type RequestHandler } from 'express';
import { z, type ZodType } from 'zod';
import { HttpError } from './errors.js';
import type { SessionActor as Actor } from './route-actor.js';
import { errorResponseSchema } from '../../contracts/common.js';
import type { HandlerResult, Method, ParsedPart, RouteContract } from '../../contracts/route.js';
import { isDatabaseUnavailable, type OutageLog } from '../outage.js';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey } from './idempotency.js';

/** Seconds a client is asked to wait before retrying while the database is away. */
export const RETRY_AFTER_SECONDS = 5;

export type { Access, Method } from '../../contracts/route.js';

export interface RouteInput<C extends RouteContract> {
  body: ParsedPart<C, 'body'>;
  query: ParsedPart<C, 'query'>;
  params: ParsedPart<C, 'params'>;
  /** The logged-in person; present on every route whose access is 'session'. */
  actor: Actor;
  /** The request's Idempotency-Key, on routes marked `idempotent` that were sent one. */
  idempotencyKey: string | undefined;
  req: Request;
  res: Response;
}

/**
 * What a handler answers: the contract's response (its z.input, so the types check that the
 * handler returns what the contract documents), or nothing when it has sent the response
 * itself (a file, a 429) or the route answers 204.
 */
export type RouteHandler<C extends RouteContract> = (input: RouteInput<C>) => Promise<HandlerResult<C> | void>;

export interface RegisteredRoute {
  method: Method;
  path: string;
  spec: RouteContract;
}

/**
 * A thin wrapper over an Express router that implements route contracts: it validates body,
 * query and params with the contract's zod schemas before the handler runs, and records
 * every route so the OpenAPI document is generated from the very schemas that validate the
 * requests.
 */
export class ApiRouter {
  readonly router = express.Router();
  readonly routes: RegisteredRoute[] = [];

  constructor(private readonly requireActor: (req: Request) => Actor) {}

  /** Serves `contract` (its method and path) with `handler`. */
  handle<C extends RouteContract>(contract: C, handler: RouteHandler<C>): void {
    const { method, path } = contract;
    const spec: RouteContract = contract;
    this.routes.push({ method, path, spec });
    const middleware: RequestHandler[] = [];
    if (spec.rawBody) middleware.push(express.raw({ type: () => true, limit: spec.rawBody.limit }));
    else if (method !== 'get') middleware.push(express.json({ limit: '256kb' }));
    const run: RequestHandler = async (req, res, next) => {
      try {
        const actor = spec.access === 'session' ? this.requireActor(req) : (undefined as unknown as Actor);
        const body = spec.rawBody ? req.body : parse(spec.body, req.body ?? {}, 'body');
        // A PATCH that names no field would be an UPDATE that sets nothing: say so, rather
        // than answer 200 to a change that did not happen (or let the database refuse it).
        if (method === 'patch' && spec.body && isEmptyChange(body)) {
          throw new HttpError(400, 'nothing_to_change', 'The request names nothing to change.', 'body');
        }
        const query = parse(spec.query, req.query, 'query');
        const params = parse(spec.params, req.params, 'params');
        const idempotencyKey = spec.idempotent ? parseIdempotencyKey(req.get(IDEMPOTENCY_HEADER)) : undefined;
        const result = await handler({ body, query, params, actor, idempotencyKey, req, res } as RouteInput<C>);
        if (res.headersSent) return;
        if (result === undefined) res.status(spec.status ?? 204).end();
        else res.status(spec.status ?? 200).json(result);
      } catch (error) {
        next(error);
      }
    };
    this.router[method](path, ...middleware, run);
  }
}

function isEmptyChange(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.values(body).every((v) => v === undefined);
}

function parse(schema: ZodType | undefined, value: unknown, where: 'body' | 'query' | 'params') {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw HttpError.fromZod(result.error, where);
  return result.data;
}

/**
 * Turns every error into the JSON error envelope; a stack trace never reaches a client.
 * A database outage is a 503 with Retry-After, logged once per outage (not once per request).
 */
export function errorHandler(log: { error: (obj: object, msg: string) => void }, outage?: OutageLog) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    let http: HttpError;
    if (error instanceof HttpError) http = error;
    else if (isDatabaseUnavailable(error)) {
      outage?.down(error);
      http = HttpError.unavailable();
    } else if (isBodyParserError(error)) {
      http =
        error.type === 'entity.too.large'
          ? new HttpError(413, 'payload_too_large', `The request body is larger than the limit of ${formatBytes(error.limit)}.`, 'body')
          : error.type === 'encoding.unsupported'
            ? new HttpError(415, 'unsupported_encoding', 'The request body’s Content-Encoding is not supported: send it as is, or gzip.', 'body')
            : new HttpError(400, 'invalid_json', 'The request body is not valid JSON.', 'body');
    } else if (isClientError(error)) {
      // Express's own 4xx errors that carry no body-parser type: a body that does not inflate
      // as its Content-Encoding says (a zlib error wrapped as 400), or a path segment that is
      // not valid percent-encoded UTF-8. Their messages are internal; the answer is not.
      http = error.status === 413
        ? new HttpError(413, 'payload_too_large', 'The request body is larger than the limit.', 'body')
        : error.isPathError
          ? new HttpError(400, 'invalid_path', 'The address is not valid (a part of it cannot be decoded).', 'params')
          : new HttpError(400, 'invalid_body', 'The request body could not be decoded: it does not match its Content-Encoding or Content-Type.', 'body');
    } else {
      // A route whose query says something about the visitor (what worries them) marks it
      // private (res.locals.privateQuery): the log keeps its path, never its query.
      const url = res.locals.privateQuery ? `${req.originalUrl.split('?')[0]}?[redacted]` : req.originalUrl;
      log.error({ err: error, method: req.method, url }, 'request failed');
      http = new HttpError(500, 'internal', 'Something went wrong on our side. Please try again.');
    }
    const body: z.infer<typeof errorResponseSchema> = {
      error: { code: http.code, message: http.message, field: http.field, issues: http.issues },
    };
    if (http.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(http.status).json(body);
  };
}

function isBodyParserError(error: unknown): error is { type: string; limit?: number } {
  return typeof error === 'object' && error !== null && 'type' in error && typeof (error as { type: unknown }).type === 'string' && 'status' in error;
}

/** An http-errors style error (status 4xx) raised by Express or its body parsers before any handler. */
function isClientError(error: unknown): error is { status: number; isPathError: boolean } {
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return false;
  Object.assign(error, { status, isPathError: error instanceof URIError || /decode param/i.test(String((error as Error).message)) });
  return true;
}

function formatBytes(bytes: number | undefined): string {
  if (!bytes) return 'the limit';
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
