// Proof of work for anonymous complaints: find a nonce such that sha256(challenge + nonce), over the UTF-8
// bytes of the concatenated string, has at least `bits` leading zero bits (backend/complaints/rules.py
// pow_digest + leading_zero_bits). Plain crypto.subtle in batches so the page stays responsive.

export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0
  for (const byte of digest) {
    if (byte) return bits + Math.clz32(byte) - 24
    bits += 8
  }
  return bits
}

export interface PowOptions {
  /** hashes computed concurrently between two yields to the UI */
  batch?: number
  /** called after each batch with the number of hashes tried so far */
  onProgress?: (tried: number) => void
  signal?: AbortSignal
  start?: number
}

const encoder = new TextEncoder()

function yieldToUi(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0))
}

export async function solvePow(challenge: string, bits: number, opts: PowOptions = {}): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new Error('crypto.subtle is not available (needs HTTPS)')
  const batch = opts.batch ?? 512
  let next = opts.start ?? 0
  for (;;) {
    opts.signal?.throwIfAborted()
    const nonces = Array.from({ length: batch }, (_, i) => String(next + i))
    const digests = await Promise.all(nonces.map(n => crypto.subtle.digest('SHA-256', encoder.encode(challenge + n))))
    for (let i = 0; i < digests.length; i++) {
      if (leadingZeroBits(new Uint8Array(digests[i])) >= bits) return nonces[i]
    }
    next += batch
    opts.onProgress?.(next)
    await yieldToUi()
  }
}
