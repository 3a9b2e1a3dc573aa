/**
 * Signed artifact links: a jose HS256 JWT (issuer, audience and algorithm pinned) valid 15 minutes,
 * so a download works without a bearer key and a tampered or expired token answers 403.
 */
import { SignJWT, jwtVerify } from 'jose'
import type { Deps } from '../../deps'
import { AppError } from '../../lib/errors'

export const ARTIFACT_KINDS = ['results', 'receipt', 'openai_output', 'openai_error'] as const
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number]

function isArtifactKind(kind: unknown): kind is ArtifactKind {
  return typeof kind === 'string' && (ARTIFACT_KINDS as readonly string[]).includes(kind)
}

const ISSUER = 'batchrouter'
const AUDIENCE = 'artifact'
export const ARTIFACT_URL_TTL_S = 15 * 60

/** A token for one artifact of one batch of one org. */
export async function signArtifactToken(deps: Deps, claims: { batchId: string; orgId: string; kind: ArtifactKind }): Promise<{ token: string; expiresAt: number }> {
  const nowS = Math.floor(deps.clock.now() / 1000)
  const token = await new SignJWT({ bid: claims.batchId, org: claims.orgId, kind: claims.kind })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + ARTIFACT_URL_TTL_S)
    .sign(deps.signingKey)
  return { token, expiresAt: nowS + ARTIFACT_URL_TTL_S }
}

/** Verifies a token; throws 403 invalid_signature for any defect (tampered, expired, wrong audience). */
export async function verifyArtifactToken(deps: Deps, token: string): Promise<{ batchId: string; orgId: string; kind: ArtifactKind }> {
  try {
    const { payload } = await jwtVerify(token, deps.signingKey, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(deps.clock.now()) })
    const kind = payload.kind
    if (typeof payload.bid !== 'string' || typeof payload.org !== 'string' || !isArtifactKind(kind)) throw new Error('claims')
    return { batchId: payload.bid, orgId: payload.org, kind }
  } catch {
    throw new AppError('invalid_signature', { message: 'This artifact link is invalid or has expired; request a new one with GET /v1/batches/{id}/artifact-url.' })
  }
}
