/** The HS256 secret and publish API key of every test gateway (in process or a process). */
export const TEST_SECRET = 'agentwire-test-secret-at-least-32-bytes-long';
export const TEST_API_KEY = 'agentwire-test-api-key';
