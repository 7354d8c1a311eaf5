import type { ZodError } from 'zod';

/** An error with the status and message a client should see. Anything else becomes a plain 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly issues?: { field: string; message: string }[],
  ) {
    super(message);
  }

  static badRequest(message: string, field?: string) {
    return new HttpError(400, 'bad_request', message, field);
  }
  static unauthorized(message = 'Please log in.') {
    return new HttpError(401, 'unauthorized', message);
  }
  static forbidden(message = 'You are not allowed to do this.') {
    return new HttpError(403, 'forbidden', message);
  }
  /** Also what a caller gets for something that exists but is not theirs: no existence oracle. */
  static notFound(what = 'resource') {
    return new HttpError(404, 'not_found', `No such ${what}.`);
  }
  static conflict(message: string, field?: string) {
    return new HttpError(409, 'conflict', message, field);
  }

  /** The database (or another dependency) is away for now: the client retries after Retry-After. */
  static unavailable() {
    return new HttpError(503, 'unavailable', 'The service is briefly unavailable. Please try again in a moment.');
  }

  static fromZod(error: ZodError, where: 'body' | 'query' | 'params') {
    const issues = error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : where,
      message: issue.message,
    }));
    const first = issues[0]!;
    return new HttpError(400, 'invalid_input', `${first.field}: ${first.message}`, first.field, issues);
  }
}
