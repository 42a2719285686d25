/** Where the CLI finds the server when BATCHKEEPER_URL is unset. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

/**
 * Exit codes of the CLI: 0 done, 1 failed, 2 bad usage, 3 not found, 4 refused (conflict), 5 a job
 * that completed with failed requests (`submit --wait`, `watch`; `--allow-failures` makes it 0).
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  completedWithFailures: 5,
} as const;

/** An answer of the server other than 2xx, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The exit code this error ends the CLI with. */
  get exitCode(): number {
    if (this.status === 404) return EXIT.notFound;
    if ([401, 403, 409, 429].includes(this.status)) return EXIT.refused;
    if ([400, 413, 415].includes(this.status)) return EXIT.usage;
    return EXIT.failure;
  }
}

export interface ApiClientOptions {
  /** (default: BATCHKEEPER_URL, else http://127.0.0.1:8080) */
  baseUrl?: string | undefined;
  /** Sent as `Authorization: Bearer` (default: BATCHKEEPER_API_KEY; none: an open server). */
  apiKey?: string | undefined;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, streamed when it is a stream. */
  body?: ReadableStream<Uint8Array> | string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A client of batchkeeper's own HTTP API: every non-2xx answer is thrown as an ApiError. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_SERVER_URL).replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
  }

  /**
   * The client the command line describes: `--url`/`--api-key` when given, else BATCHKEEPER_URL
   * and BATCHKEEPER_API_KEY (commander reads those into the same options); blank counts as unset.
   */
  static fromOptions(options: {
    url?: string | undefined;
    apiKey?: string | undefined;
  }): ApiClient {
    return new ApiClient({
      baseUrl: options.url?.trim() || undefined,
      apiKey: options.apiKey?.trim() || undefined,
    });
  }

  /** Sends a request and answers the response, whose body is left to read. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    } else body = options.body;
    const url = `${this.baseUrl}${path}${queryString(options.query)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        signal: options.signal,
        // A streamed upload: Node's fetch needs to be told it sends while it receives.
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      throw new ApiError(
        0,
        'connection_error',
        `cannot reach ${this.baseUrl}: ${causeOf(error)}; is \`batchkeeper serve\` running there? ` +
          '(choose the server with --url or BATCHKEEPER_URL)',
      );
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  /** Sends a request and answers its JSON body. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(method, path, options);
    return (await response.json()) as T;
  }
}

function queryString(query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    params.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as { error: { type: string; message: string } };
    const hint =
      response.status === 401 ? ' (give the key with --api-key or BATCHKEEPER_API_KEY)' : '';
    return new ApiError(response.status, error.type, `${error.message}${hint}`);
  } catch {
    return new ApiError(
      response.status,
      'api_error',
      `HTTP ${response.status}: ${text.slice(0, 200)}`,
    );
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
