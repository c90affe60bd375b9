export { AesGcmSecretBox, UnavailableSecretBox, UnsealError } from './aes-gcm-secret-box';
