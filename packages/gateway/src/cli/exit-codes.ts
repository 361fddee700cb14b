/** The gateway command's exit codes (documented in `--help` and docs/deploy.md). */
export enum ExitCode {
  /** Stopped by SIGTERM/SIGINT after draining, or `--help` / `--version`. */
  Ok = 0,
  /** An unexpected error, or the drain on shutdown failed. */
  Failure = 1,
  /** Invalid configuration or command line: nothing was started. */
  Usage = 2,
  /** Could not start: the port is in use, binding was refused, a needed package is missing. */
  StartFailed = 3,
}
