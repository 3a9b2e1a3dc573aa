/**
 * The console tests' browser: without Debian's chromium they fail, saying how to install it (they
 * never skip); and the label check they run on every page finds an unlabelled control.
 */
import { describe, expect, it } from 'bun:test'
import { assertChromium, CHROMIUM_ARGS, CHROMIUM_PATH, launchBrowser, unlabelledControls } from '../helpers/browser'

describe('the console tests’ browser', () => {
  it('is Debian’s chromium, launched headless and offline', () => {
    expect(CHROMIUM_PATH).toBe('/usr/bin/chromium')
    expect(CHROMIUM_ARGS).toEqual(expect.arrayContaining(['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update']))
  })

  it('fails with the install command when chromium is missing', () => {
    expect(() => assertChromium('/nonexistent/chromium')).toThrow('sudo apt-get install -y chromium')
  })

  it('is installed on this machine (apt-get install -y chromium)', () => {
    expect(() => assertChromium()).not.toThrow()
  })
})

describe('unlabelledControls', () => {
  it('finds controls without a label and accepts wrapped, for= and aria labels', async () => {
    const browser = await launchBrowser()
    try {
      await browser.page.setContent(`
        <label>Name <input name="wrapped"></label>
        <label for="f">Email</label><input id="f" name="for">
        <input name="aria" aria-label="Search">
        <input type="hidden" name="hidden">
        <select name="bare"><option>x</option></select>
        <input name="placeholder-only" placeholder="Not a label">`)
      const found = await unlabelledControls(browser.page)
      expect(found.map((html) => /name="([^"]+)"/.exec(html)?.[1])).toEqual(['bare', 'placeholder-only'])
    } finally {
      await browser.close()
    }
  })
})
