/** The OpenAPI document (/v1/openapi.json) and the offline reference page (/v1/docs). Stub. */
import { Elysia } from 'elysia'

export function openApiRoutes() {
  return new Elysia()
}
