/** An error caused by the user's input (bad root, bad config, bad flag): printed without a stack, exit code 2. */
export class UserError extends Error {
  override readonly name = 'UserError';
}
