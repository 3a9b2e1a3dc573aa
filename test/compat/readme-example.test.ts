/**
 * The README's "Using the OpenAI SDK" examples, run as written against a real demo server: the
 * Node example with `node` and the `openai` package of this repository, the Python example with
 * `python3` when the `openai` Python package is installed (skipped otherwise). The only change
 * is the port: the README targets `make run` on 127.0.0.1:8080, the test a free port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, removeDir, tempDir } from '../helpers/process'
import { startCompatServer, type CompatServer } from './helpers'

/** SDK flows against a real server take seconds; `bun test` alone would allow 5. */
const SLOW_MS = 60_000

const README_BASE_URL = 'http://127.0.0.1:8080/v1'

/** The fenced code blocks of one README section, by language. */
function sectionBlocks(title: string): Record<string, string> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf(`## ${title}\n`)
  if (start < 0) throw new Error(`README has no section "${title}"`)
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  const blocks: Record<string, string> = {}
  for (const match of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) blocks[match[1]!] ??= match[2]!
  return blocks
}

const hasCommand = (cmd: string[]) => {
  try {
    return Bun.spawnSync(cmd, { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0
  } catch {
    return false
  }
}
const HAS_NODE = hasCommand(['node', '--version'])
const HAS_PYTHON_OPENAI = hasCommand(['python3', '-c', 'import openai'])

let srv: CompatServer
let key: string
let dir: string

beforeAll(async () => {
  srv = await startCompatServer()
  ;({ key } = await srv.newClient())
  dir = tempDir('br-readme-')
  // `import OpenAI from 'openai'` resolves to this repository's dev dependency.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
}, SLOW_MS)
afterAll(async () => {
  await srv.stop()
  removeDir(dir)
})

/** Runs `cmd` in the temp dir with the README's env var set; returns its output. */
async function run(cmd: string[]) {
  const proc = Bun.spawn(cmd, { cwd: dir, env: { ...process.env, BATCHROUTER_API_KEY: key }, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  return { stdout, stderr, code }
}

describe('README: Using the OpenAI SDK', () => {
  const blocks = sectionBlocks('Using the OpenAI SDK')

  it('has a Node and a Python example that both target the make run address with BATCHROUTER_API_KEY', () => {
    for (const lang of ['js', 'python']) {
      expect(blocks[lang]).toContain(README_BASE_URL)
      expect(blocks[lang]).toContain('BATCHROUTER_API_KEY')
    }
  })

  it.skipIf(!HAS_NODE)('the Node example runs to completion and prints both answers', async () => {
    writeFileSync(join(dir, 'batch.mjs'), blocks.js!.replaceAll(README_BASE_URL, `${srv.url}/v1`))
    const { stdout, stderr, code } = await run(['node', 'batch.mjs'])
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(stdout).toMatch(/bat_\S+ completed \{ total: 2, completed: 2, failed: 0 \}/)
    expect(stdout).toMatch(/^req-1 gpt-4o-mini → .+$/m)
    expect(stdout).toMatch(/^req-2 claude-haiku-4-5\S* → .+$/m)
    expect(stdout).not.toContain('failed requests')
  }, SLOW_MS)

  it.skipIf(!HAS_PYTHON_OPENAI)('the Python example runs to completion and prints both answers', async () => {
    writeFileSync(join(dir, 'batch.py'), blocks.python!.replaceAll(README_BASE_URL, `${srv.url}/v1`))
    const { stdout, stderr, code } = await run(['python3', 'batch.py'])
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(stdout).toMatch(/bat_\S+ completed/)
    expect(stdout).toMatch(/^req-1 gpt-4o-mini → .+$/m)
    expect(stdout).toMatch(/^req-2 claude-haiku-4-5\S* → .+$/m)
  }, SLOW_MS)
})
