export * from './account-emails';
export * from './reset-email';
export { durationInWords } from './mail-text';
