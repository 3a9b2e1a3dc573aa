/**
 * A real browser for the console tests: Debian's chromium (never a downloaded one) driven by
 * playwright-core, headless, with a fresh user-data dir per launch (its own cookie jar), deleted
 * on close. Screenshots go to `.artifacts/console/` (gitignored) or to BR_SCREENSHOT_DIR
 * (`make screenshots` points it at docs/console).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Where the browser is expected: Debian's `chromium` package. */
export const CHROMIUM_PATH = '/usr/bin/chromium'
const REPO_ROOT = resolve(import.meta.dir, '../..')

/** The flags the console tests run chromium with (headless, no sandbox, nothing talking to the network). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface TestBrowser {
  context: BrowserContext
  page: Page
  /** Saves a screenshot of the page as `<name>.png` in the screenshot dir; answers its path. */
  screenshot(name: string, opts?: { fullPage?: boolean }): Promise<string>
  close(): Promise<void>
}

/** Throws, with how to install it, when Debian's chromium is missing: the tests must fail, not skip. */
export function assertChromium(path: string = CHROMIUM_PATH): void {
  if (!existsSync(path)) {
    throw new Error(`The console browser tests need Chromium at ${path}. Install it with: sudo apt-get install -y chromium (Debian/Ubuntu; .ci/run does this). No browser is downloaded by the tests.`)
  }
}

/** The directory screenshots are written to (created). */
export function screenshotDir(): string {
  const dir = process.env.BR_SCREENSHOT_DIR ? resolve(REPO_ROOT, process.env.BR_SCREENSHOT_DIR) : join(REPO_ROOT, '.artifacts', 'console')
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Launches chromium with a fresh profile and opens one page (1280×860, a stable size for screenshots). */
export async function launchBrowser(): Promise<TestBrowser> {
  assertChromium()
  const profile = mkdtempSync(join(tmpdir(), 'br-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    colorScheme: 'light',
    reducedMotion: 'reduce',
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  return {
    context,
    page,
    async screenshot(name, opts = {}) {
      const path = join(screenshotDir(), `${name}.png`)
      await page.screenshot({ path, fullPage: opts.fullPage ?? false, animations: 'disabled' })
      return path
    },
    async close() {
      await context.close().catch(() => undefined)
      rmSync(profile, { recursive: true, force: true })
      if (errors.length > 0) throw new Error(`the page threw: ${errors.join('; ')}`)
    },
  }
}

/**
 * Form controls on the page that have no accessible name from a label (a <label> around or
 * `for` it, aria-label or aria-labelledby). Hidden inputs do not count.
 */
export function unlabelledControls(page: Page): Promise<string[]> {
  // A string expression: it runs in the page, and this file is checked without the DOM library.
  return page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden')
    .filter((el) => (el.labels ? el.labels.length : 0) === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML.slice(0, 120))`)
}

/** What has keyboard focus: its text, id, and computed box-shadow (the focus ring). */
export function focused(page: Page): Promise<{ text: string | null; id: string; ring: string }> {
  return page.evaluate(`(() => {
    const el = document.activeElement
    return { text: el ? el.textContent : null, id: el ? el.id : '', ring: el ? getComputedStyle(el).boxShadow : 'none' }
  })()`)
}

/** Everything the page's own scripts can read of its storage and cookies, and its HTML. */
export function readableByPage(page: Page): Promise<{ local: string; session: string; cookie: string; html: string }> {
  return page.evaluate(`({ local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), cookie: document.cookie, html: document.documentElement.outerHTML })`)
}
