export * from './audit-recorder';
export * from './audit-retention';
export * from './event-bounds';
