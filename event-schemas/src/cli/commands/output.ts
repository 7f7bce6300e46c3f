/** Where the commands print: the process streams in the CLI, arrays in tests. */
export interface Output {
  /** Results: summaries and the lines of a failed check. */
  out(line: string): void;
  /** Errors that stop a command. */
  err(line: string): void;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
