#!/usr/bin/env node
// The workspace ships TypeScript sources: load them through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
