/** The token from a label URL `<base>/q/<token>` (or a bare `/q/<token>` path); null for anything else. */
export function parseQrToken(text: string): string | null {
  const s = text.trim()
  let path = s
  try {
    path = new URL(s).pathname
  } catch {
    // not an absolute URL: maybe a bare path
  }
  const m = path.match(/(?:^|\/)q\/([^/?#\s]+)\/?$/)
  return m ? decodeURIComponent(m[1]!) : null
}
