import autocannon from 'autocannon';
import type { Request } from 'autocannon';
import { mainThreadsCpuMicros } from './thread-cpu';

export interface LoadOptions {
  url: string;
  path: string;
  method?: 'GET' | 'POST';
  connections: number;
  durationSeconds: number;
  /** Each request takes the next of these header sets / bodies in turn. */
  cookies?: readonly string[];
  forms?: readonly string[];
  /** The server's processes (one, or a cluster's primary and workers): their main threads' CPU time per response is measured. */
  pids?: readonly number[];
}

export interface LoadResult {
  /** Successful (2xx) responses a second. */
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  total: number;
  /** CPU µs of the server's main threads per response, when their pids were given. */
  cpuMicrosPerRequest?: number;
}

/** Drives one URL with autocannon for a fixed time. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const setupRequest = (request: Request): Request => {
    const i = next++;
    const headers = { ...request.headers } as Record<string, string>;
    if (options.cookies?.length) headers.cookie = options.cookies[i % options.cookies.length]!;
    if (options.forms?.length) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      return { ...request, headers, body: options.forms[i % options.forms.length] };
    }
    return { ...request, headers };
  };
  const cpuBefore = options.pids === undefined ? undefined : mainThreadsCpuMicros(options.pids);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [{ method: options.method ?? 'GET', path: options.path, setupRequest }],
    timeout: 30,
  });
  const cpuAfter = options.pids === undefined ? undefined : mainThreadsCpuMicros(options.pids);
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count ?? 0;
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    statuses,
    total,
    cpuMicrosPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && total > 0 ? (cpuAfter - cpuBefore) / total : undefined,
  };
}
