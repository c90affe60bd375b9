import { expect } from 'vitest';

export interface PageAnswer {
  status: number;
  html: string;
  location: string | null;
  headers: Headers;
}

/**
 * A browser as the pages see it, without the browser: a cookie jar, the Origin of a page of
 * the service on every post, and the form token read from the last page.
 */
export class PageClient {
  readonly cookies = new Map<string, string>();
  /** The form token of the last page that had a form. */
  token = '';

  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<PageAnswer> {
    return this.send('GET', path, undefined, headers);
  }

  /** Posts a form with the last token read, unless the fields name their own `csrf`. */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<PageAnswer> {
    return this.send('POST', path, new URLSearchParams({ csrf: this.token, ...fields }).toString(), { origin: this.base, 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  private async send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<PageAnswer> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(this.base + path, { method, body, redirect: 'manual', headers: { ...this.headers, ...(cookie ? { cookie } : {}), ...headers } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value = ''] = pair!.split('=', 2) as [string, string];
      if (/Max-Age=0/.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const html = await response.text();
    const token = /name="csrf" value="([^"]*)"/.exec(html);
    if (token) this.token = token[1]!;
    return { status: response.status, html, location: response.headers.get('location'), headers: response.headers };
  }

  /** Signs up and in on a service without address verification. */
  async signUp(email: string, password: string): Promise<void> {
    await this.get('/signup');
    const answer = await this.post('/signup', { email, password });
    expect(answer.status, answer.html).toBe(303);
  }
}
