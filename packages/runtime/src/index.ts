export * from './config';
export * from './services';
export * from './config-docs';
export * from './logger';
export * from './encryption-keys';
export * from './webhooks';
