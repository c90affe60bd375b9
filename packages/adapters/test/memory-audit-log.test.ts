import { MemoryAuditLog } from '../src';
import { auditLogContract } from '@latchkey/adapters/testing';
import { vitestApi } from './support/vitest-api';

auditLogContract(vitestApi, 'memory', async () => ({ log: new MemoryAuditLog() }));
