// The worker's phone refuses another device's label on site, offline: the order carries the sha256 of each of its
// device's label tokens (default and positions), never the tokens themselves (a token on the phone would let a scan
// be claimed without standing at the lift).
import { sha256Hex } from '@/utils/photo-compress'

export async function labelHash(token: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(token).buffer as ArrayBuffer)
}

/**
 * 'ok' when the label is the order's device's, 'wrong' when it is not, 'unknown' when the order was kept on the
 * phone before the server sent the hashes (the server still checks every scan when the record is synced).
 */
export async function checkOrderLabel(
  order: { label_hashes?: string[] | null },
  token: string,
): Promise<'ok' | 'wrong' | 'unknown'> {
  if (!order.label_hashes?.length) return 'unknown'
  return order.label_hashes.includes(await labelHash(token)) ? 'ok' : 'wrong'
}
