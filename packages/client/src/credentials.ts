import { tokenExpiry } from './token.js';

/** What one connection attempt authenticates with: a JWT, or a single-use ticket. */
export type AttemptCredentials = { token: string; ticket?: undefined } | { ticket: string };

export interface CredentialProviders {
  /** Returns a currently valid JWT for the signed-in user. */
  token?: () => string | Promise<string>;
  /** Returns a fresh single-use ticket for each connection attempt. */
  ticket?: () => string | Promise<string>;
  /** Refresh the token this long before its `exp` (at most a third of its lifetime before). */
  refreshBeforeMs: number;
}

/** A token with this little life left is not reused for a new attempt. */
const MIN_TOKEN_LIFE_MS = 5_000;

/**
 * The user's credentials across sockets: the token is cached while it has life left and was not
 * rejected, a ticket is fetched for every attempt, and a refresh is planned before `exp`.
 */
export class Credentials {
  private token: string | undefined;
  private exp: number | undefined;
  private rejected = false;

  constructor(private readonly providers: CredentialProviders) {
    if (!providers.token && !providers.ticket) {
      throw new Error('agentwire: give a token provider or a ticket provider');
    }
  }

  /** Whether the open connection's token can be refreshed (a token provider was given). */
  get refreshable(): boolean {
    return this.providers.token !== undefined;
  }

  /** For the next attempt: the cached token unless stale or rejected, or a fresh ticket. */
  async forAttempt(): Promise<AttemptCredentials> {
    const { token: tokenProvider, ticket: ticketProvider } = this.providers;
    if (tokenProvider) {
      const margin = Math.min(this.providers.refreshBeforeMs, MIN_TOKEN_LIFE_MS);
      const stale =
        this.token === undefined ||
        this.rejected ||
        (this.exp !== undefined && this.exp - Date.now() < margin);
      if (stale) this.accepted(await tokenProvider());
    }
    if (ticketProvider) return { ticket: await ticketProvider() };
    return { token: this.token as string };
  }

  /** The gateway refused the token (or may have): the next attempt asks the provider again. */
  reject(): void {
    this.rejected = true;
  }

  /** The token in use from now on (fetched for an attempt, or accepted by a `refresh`). */
  accepted(token: string): void {
    this.token = token;
    this.exp = tokenExpiry(token);
    this.rejected = false;
  }

  /** How long until the token should be refreshed; undefined when it has no `exp` to refresh before. */
  refreshDelay(now = Date.now()): number | undefined {
    if (!this.providers.token || this.exp === undefined) return undefined;
    const lifetime = this.exp - now;
    const margin = Math.min(this.providers.refreshBeforeMs, lifetime / 3);
    return Math.min(Math.max(0, lifetime - margin), 2 ** 31 - 1);
  }

  /**
   * Asks the token provider for a token to refresh with. `retryInMs` when it handed back the
   * token in use (a cached one): ask again halfway to expiry, or not at all when that is near.
   * Throws what the provider throws.
   */
  async nextToken(): Promise<{ token: string } | { retryInMs: number | undefined }> {
    const provider = this.providers.token;
    if (!provider) return { retryInMs: undefined };
    const token = await provider();
    const exp = tokenExpiry(token);
    if (exp !== undefined && this.exp !== undefined && exp <= this.exp) {
      const left = this.exp - Date.now();
      return { retryInMs: left > 1_000 ? left / 2 : undefined };
    }
    return { token };
  }
}
