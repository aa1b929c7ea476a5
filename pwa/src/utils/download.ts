/**
 * The file name a download's Content-Disposition gives (RFC 6266): `filename*=UTF-8''…` (percent-encoded, Chinese
 * names) wins over `filename="…"`; `fallback` when there is none or it cannot be decoded.
 */
export function filenameFromDisposition(header: string | null | undefined, fallback: string): string {
  if (!header) return fallback
  const extended = /filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)/i.exec(header)
  if (extended) {
    try {
      return decodeURIComponent(extended[2]!.trim().replace(/^"|"$/g, '')) || fallback
    } catch {
      // malformed percent-encoding: try the plain name
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header)
  const name = (plain?.[2] ?? plain?.[1])?.trim()
  return name || fallback
}
