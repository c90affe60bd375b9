export { AesGcmSecretBox, UnavailableSecretBox, UnsealError } from './aes-gcm-secret-box';
export { JoseTokenSigner } from './jose-token-signer';
