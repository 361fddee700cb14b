import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  importSPKI,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { AuthError } from '../errors.js';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** Exactly one key source; the algorithm is pinned so a token cannot choose its own. */
export type JwtOptions = {
  issuer?: string;
  audience?: string;
  /** Allowed clock skew in seconds for `exp`/`nbf` checks. */
  clockToleranceSec?: number;
} & (
  | { secret: string; algorithm?: 'HS256' }
  | { publicKey: string; algorithm: 'RS256' | 'ES256' }
  | { jwksUrl: string; algorithm: 'RS256' | 'ES256' }
  | { jwks: { keys: object[] }; algorithm: 'RS256' | 'ES256' }
);

export interface VerifiedToken {
  userId: string;
  /** Expiry, in ms since the epoch. */
  expiresAt: number;
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

/** HS256 secrets shorter than the hash output are brute-forceable; refuse them at start. */
export const MIN_SECRET_BYTES = 32;

export async function createTokenVerifier(options: JwtOptions): Promise<TokenVerifier> {
  let key: Uint8Array | CryptoKey | JWTVerifyGetKey;
  let algorithm: JwtAlgorithm;
  if ('secret' in options) {
    const secret = new TextEncoder().encode(options.secret);
    if (secret.byteLength < MIN_SECRET_BYTES) {
      throw new Error(`jwt secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    key = secret;
    algorithm = 'HS256';
  } else if ('publicKey' in options) {
    algorithm = options.algorithm;
    key = await importSPKI(options.publicKey, algorithm);
  } else if ('jwksUrl' in options) {
    algorithm = options.algorithm;
    key = createRemoteJWKSet(new URL(options.jwksUrl));
  } else {
    algorithm = options.algorithm;
    key = createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]);
  }
  const verifyOptions = {
    algorithms: [algorithm],
    requiredClaims: ['exp', 'sub'],
    ...(options.issuer !== undefined && { issuer: options.issuer }),
    ...(options.audience !== undefined && { audience: options.audience }),
    clockTolerance: options.clockToleranceSec ?? 0,
  };
  return {
    async verify(token: string): Promise<VerifiedToken> {
      try {
        const { payload } = await jwtVerify(token, key as Uint8Array, verifyOptions);
        const sub = payload.sub;
        if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) {
          throw new AuthError('token subject (sub) must be a non-empty string');
        }
        return { userId: sub, expiresAt: (payload.exp as number) * 1000 };
      } catch (error) {
        if (error instanceof AuthError) throw error;
        throw new AuthError(describeJoseError(error));
      }
    },
  };
}

/** A reason fit for the client: which check failed, never the token or key material. */
function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `token claim check failed: ${(error as { claim?: string }).claim ?? 'claim'}`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'token signature is invalid';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'token algorithm is not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no key matches the token';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'token is malformed';
    default:
      return 'token could not be verified';
  }
}
