/**
 * The file name a download carries (RFC 6266): `filename*=UTF-8''…` (percent-encoded, Chinese kept)
 * wins over the plain ASCII `filename="…"`; `fallback` when the header names none.
 */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim())
    } catch {
      // a malformed escape: fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header)
  const name = plain?.[1] ?? plain?.[2]?.trim()
  return name || fallback
}
