// The errors every room may throw, apart from the flag parser so storage and backend code do not
// import the command line: main.ts prints them and picks the exit code.
/** Bad command-line input: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string | null,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure the user can act on (missing folder, tampered bundle): message + exit code, no stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}
