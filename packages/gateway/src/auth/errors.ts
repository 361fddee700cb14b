/** A credentials failure whose message is safe to show the client (HTTP 401 body). */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}
