/**
 * The README as a new user reads it in a fresh clone: every relative link and in-page anchor
 * resolves, the `/_sim/scenario` example body is one the simulator accepts, and the exit-code
 * table is the one the CLI keeps (src/cli/exit-codes.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXIT } from '../../src/cli/exit-codes'
import { REPO_ROOT, startSimProcess, type SimProcess } from '../helpers/process'

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
/** Markdown links outside code blocks. */
const prose = README.replace(/```[\s\S]*?```/g, '')
const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const anchors = new Set([...README.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\p{L}\p{N} -]/gu, '').replaceAll(' ', '-')))

describe('README links', () => {
  it('has relative links that exist in the repository', () => {
    const relative = links.filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith('#'))
    expect(relative.filter((l) => !existsSync(join(REPO_ROOT, l.split('#')[0]!)))).toEqual([])
  })

  it('has in-page anchors that name a heading', () => {
    const inPage = links.filter((l) => l.startsWith('#'))
    expect(inPage.length).toBeGreaterThan(0)
    expect(inPage.filter((l) => !anchors.has(l.slice(1)))).toEqual([])
  })

  it('names no path outside the repository (such as ../shared)', () => {
    expect(README).not.toMatch(/\.\.\/shared/)
  })
})

describe('README simulator scenario example', () => {
  let sim: SimProcess
  beforeAll(async () => {
    sim = await startSimProcess()
  })
  afterAll(() => sim.stop('SIGKILL'))

  it('is a body PUT /_sim/scenario accepts and reads back', async () => {
    const example = /_sim\/scenario -H 'Content-Type: application\/json' -d '([\s\S]*?)'\n/.exec(README)?.[1]
    expect(example).toBeDefined()
    const body = JSON.parse(example!)
    const res = await fetch(`${sim.url}/_sim/scenario`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(res.status).toBe(200)
    expect(((await (await fetch(`${sim.url}/_sim/scenario`)).json()) as { scenario: unknown }).scenario).toEqual(body)
  })
})

describe('README exit codes', () => {
  it('lists every exit code the CLI uses, and no other', () => {
    const section = README.slice(README.indexOf('Exit codes, the same for every command'))
    const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| code |')))
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]))
    expect(documented.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b))
  })
})
