/** An error answer of the simulated API: `{type: "error", error: {type, message}, request_id}`. */
export class SimulatedApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorType: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** `error.details.error_code`, where the real API gives one. */
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'SimulatedApiError';
  }
}

/** The body Anthropic sends with an error. */
export function errorBody(
  errorType: string,
  message: string,
  requestId: string,
  errorCode?: string,
) {
  const details = errorCode === undefined ? {} : { details: { error_code: errorCode } };
  return { type: 'error', error: { type: errorType, message, ...details }, request_id: requestId };
}

export const notFound = (what: string) =>
  new SimulatedApiError(404, 'not_found_error', `${what} not found`);

export const invalidRequest = (message: string) =>
  new SimulatedApiError(400, 'invalid_request_error', message);
