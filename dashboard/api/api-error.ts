/** An answer of the API other than 2xx: its status and its `{error: {type, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Reads the API's error body; a body of another shape keeps the HTTP status as message. */
  static async from(response: Response): Promise<ApiError> {
    let type = 'http_error';
    let message = `${response.status} ${response.statusText}`.trim();
    try {
      const body = (await response.json()) as { error?: { type?: unknown; message?: unknown } };
      if (typeof body.error?.type === 'string') type = body.error.type;
      if (typeof body.error?.message === 'string') message = body.error.message;
    } catch {
      // not JSON: keep the status line
    }
    return new ApiError(response.status, type, message);
  }
}

/** A readable line for any failure. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.type}, ${error.status})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
