import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContractTestApi } from '@latchkey/adapters/testing';

/** Vitest as the exported contract suites take it: what adapter authors pass is what runs here. */
export const vitestApi: ContractTestApi = { describe, it, expect, beforeEach, afterEach };
