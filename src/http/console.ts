/**
 * The web console at `/console` (contract §10). The page is a Bun HTML import: `bun build
 * --compile` bundles its script, styles and uPlot into the binary, and from source Bun bundles it
 * on first request; either way everything it loads comes from this server (no CDN, works
 * offline). Its assets are served beside it at `/chunk-….js` / `.css`. The page talks to /v1 with
 * the session cookie from `POST /v1/auth/session` (features/api-keys/session-routes.ts).
 */
import consolePage from '../console/index.html'

/** Where the console is served. */
export const CONSOLE_PATH = '/console'

/** The console page as a Bun.serve static route: Bun serves the bundle natively (neither the edge nor Elysia runs for it). */
export function consoleStaticRoutes() {
  return { [CONSOLE_PATH]: consolePage, [`${CONSOLE_PATH}/`]: consolePage }
}
