/** The package version, as `--version` prints it and reports carry it. */
export const VERSION = '0.1.0';
