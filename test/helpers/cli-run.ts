/**
 * Running `bun src/main.ts …` as a user would: through a pseudo-terminal (Bun.spawn's `terminal`
 * option — the command sees a real TTY, draws its progress bar, may prompt) or with stdout piped
 * (as in a script: JSON output). Environment without the developer's BATCHROUTER_* settings.
 */
import { REPO_ROOT } from './process'

export interface CliResult {
  code: number
  /** stdout (piped) or everything the terminal showed (PTY, ANSI sequences included). */
  stdout: string
  stderr: string
}

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('BATCHROUTER_')) env[k] = v
  return { ...env, ...extra }
}

/** Runs the CLI with stdout and stderr piped (not a terminal). */
export async function runCliPiped(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  const proc = Bun.spawn([process.execPath, 'src/main.ts', ...args], { cwd: REPO_ROOT, env: cleanEnv(env), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', timeout: timeoutMs })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { code, stdout, stderr }
}

/** A CLI process on a pseudo-terminal: what it showed so far, keystrokes in, its exit code. */
export interface PtyRun {
  output(): string
  /** Resolves once the output matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>
  write(text: string): void
  exited: Promise<number>
}

/** Starts the CLI on a 120×30 pseudo-terminal. */
export function startCliPty(args: string[], env: Record<string, string> = {}): PtyRun {
  let text = ''
  const decoder = new TextDecoder()
  const proc = Bun.spawn([process.execPath, 'src/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv({ TERM: 'xterm-256color', ...env }),
    terminal: { cols: 120, rows: 30, data: (_t, data) => void (text += decoder.decode(data, { stream: true })) },
  })
  const exited = proc.exited.then(async (code) => {
    await Bun.sleep(50) // let the last output arrive
    proc.terminal?.close()
    return code
  })
  return {
    output: () => text,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in terminal output:\n${text}`)
        await Bun.sleep(20)
      }
    },
    write: (input) => proc.terminal!.write(input),
    exited,
  }
}

/** Runs the CLI on a pseudo-terminal to the end. */
export async function runCliPty(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const run = startCliPty(args, env)
  const code = await run.exited
  return { code, stdout: run.output(), stderr: '' }
}
