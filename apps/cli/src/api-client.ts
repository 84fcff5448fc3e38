/** A small client of the scheduler's REST API, for `submit`, `status` and `export`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: unknown }> {
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      throw new ApiError(0, null, `cannot reach the scheduler at ${this.baseUrl}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) throw new ApiError(res.status, json, describeFailure(res.status, json, text));
    return { status: res.status, text, json };
  }
}

function describeFailure(status: number, json: unknown, text: string): string {
  const problems = (json as { problems?: { path: string; message: string }[] } | null)?.problems;
  if (status === 400 && Array.isArray(problems)) return `rejected (400):\n${problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`;
  if (status === 401) return 'unauthorised (401): give the API token with --token or APIARY_TOKEN';
  const message = (json as { message?: unknown } | null)?.message;
  return `HTTP ${status}: ${typeof message === 'string' ? message : text.slice(0, 200)}`;
}
