import { MemoryAuditLog } from '../src';
import { auditLogContract } from './audit-log.contract';

auditLogContract('memory', async () => ({ log: new MemoryAuditLog() }));
