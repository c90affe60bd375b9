export { AesGcmSecretBox, UnavailableSecretBox, UnsealError } from './aes-gcm-secret-box';
export { JoseTokenSigner } from './jose-token-signer';
export { SimpleWebAuthnCeremony } from './simplewebauthn-ceremony';
export type { RelyingParty } from './simplewebauthn-ceremony';
