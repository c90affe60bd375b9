export { MemoryUserRepository } from './memory-user-repository';
export { MemoryPasswordResetTokenRepository } from './memory-password-reset-token-repository';
export { MemorySessionRepository } from './memory-session-repository';
export { MemoryThrottleStore } from './memory-throttle-store';
export { MemoryAuditLog } from './memory-audit-log';
export { memoryStores } from './memory-stores';
