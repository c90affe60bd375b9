/**
 * What the contract suites need from a test framework: vitest's and node:test's
 * describe/it/beforeEach/afterEach fit as they are; `expect` is vitest's, or the `expect`
 * package (Jest's) under node:test. Only matchers both provide are used.
 */
export interface Matchers {
  toBe(expected: unknown): unknown;
  toEqual(expected: unknown): unknown;
  toMatchObject(expected: object): unknown;
  toHaveLength(length: number): unknown;
  toBeNull(): unknown;
  toBeGreaterThan(value: number): unknown;
  toBeGreaterThanOrEqual(value: number): unknown;
  toBeLessThanOrEqual(value: number): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a class of any constructor signature
  toBeInstanceOf(expected: abstract new (...args: any[]) => unknown): unknown;
  toContain(expected: unknown): unknown;
}

export interface AsyncMatchers {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a class of any constructor signature
  toBeInstanceOf(expected: abstract new (...args: any[]) => unknown): PromiseLike<unknown>;
}

export interface Assertions extends Matchers {
  not: Matchers;
  rejects: AsyncMatchers;
}

export interface Expect {
  (actual: unknown): Assertions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches any instance of the class
  any(constructor: any): any;
}

type Body = () => void | Promise<void>;

export interface ContractTestApi {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: Body): unknown;
  beforeEach(hook: Body): unknown;
  afterEach(hook: Body): unknown;
  expect: Expect;
}
