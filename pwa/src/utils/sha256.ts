/** Hex SHA-256 of some bytes (a photo's content address). Its own module so that a page keeping photos in
 * memory (the public complaint form) does not load the image compressor with it. */
export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(data))
  return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('')
}
