export * from './login-throttle';
export * from './login-step';
export * from './login-steps';
export * from './login-flow';
export * from './password-check';
