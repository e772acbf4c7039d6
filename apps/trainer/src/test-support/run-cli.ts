// Runs the trainer CLI as a real subprocess on the TypeScript source, exactly as the package scripts do.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves once stderr contains `pattern`. */
  waitForStderr(pattern: RegExp): Promise<void>;
  done: Promise<CliResult>;
}

export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  // Same command line as the package scripts: node loads tsx as a hook, no wrapper process in between.
  const child = spawn(
    process.execPath,
    ["--conditions=@motif/source", "--import", "tsx", path.join(appDir, "src/main.ts"), ...args],
    {
      cwd: appDir,
      env: { ...process.env, INIT_CWD: appDir, MOTIF_BACKEND: "wasm", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child,
    done,
    waitForStderr: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`the CLI exited before printing ${pattern}:\n${stderr}`)));
      }),
  };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}
