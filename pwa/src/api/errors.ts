// The one place that turns a failure into words for the user. The server's messages are already in the user's
// language (API.md's error envelope); anything else is a plain Error.
import { ApiError } from './http'

/** The server's message plus its field messages, for a dialog or a toast. */
export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error)?.message ?? String(err)
  const fields = (err.details?.fields ?? {}) as Record<string, string[] | Record<string, unknown>>
  const lines = [err.message]
  for (const msgs of Object.values(fields)) {
    if (Array.isArray(msgs)) lines.push(...msgs.filter(m => typeof m === 'string' && !lines.includes(m)))
  }
  return lines.join('\n')
}

/** The API's 422 field messages (`details.fields`), one line per field, for a form's error slots. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {}
  const fields = (err.details?.fields ?? {}) as Record<string, unknown>
  const out: Record<string, string> = {}
  for (const [name, msgs] of Object.entries(fields)) {
    if (Array.isArray(msgs)) out[name] = msgs.filter(m => typeof m === 'string').join('；')
    else if (msgs && typeof msgs === 'object') out[name] = JSON.stringify(msgs)
  }
  return out
}

/** The first field message, however deep (a list of photos nests them), else the server's message. */
export function firstErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return errorText(err)
  const walk = (v: unknown): string | null => {
    if (typeof v === 'string') return v
    if (Array.isArray(v)) return v.map(walk).find(Boolean) ?? null
    if (v && typeof v === 'object') return Object.values(v).map(walk).find(Boolean) ?? null
    return null
  }
  return walk(err.details?.fields) ?? err.message
}
