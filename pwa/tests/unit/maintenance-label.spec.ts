import { describe, expect, it } from 'vitest'
import { checkOrderLabel, labelHash } from '@/components/maintenance/label-check'

// the server's rules.label_hash of the same token (sha256 of its UTF-8 bytes)
const TOKEN = 'AbCdEfGh12345678'
const HASH = 'f4d797fa313f2770746f818fa9333f3dba50f940cef7ff9423edb506941402b0'

describe('a label scanned for a work order, offline', () => {
  it('hashes a token as the server does', async () => {
    expect(await labelHash(TOKEN)).toBe(HASH)
  })

  it('accepts any of the device labels and refuses another device', async () => {
    const order = { label_hashes: ['0'.repeat(64), HASH] }
    expect(await checkOrderLabel(order, TOKEN)).toBe('ok')
    expect(await checkOrderLabel(order, 'ZzZzOtherDevice99')).toBe('wrong')
  })

  it('leaves an order kept before the hashes were sent to the server', async () => {
    expect(await checkOrderLabel({}, TOKEN)).toBe('unknown')
    expect(await checkOrderLabel({ label_hashes: [] }, TOKEN)).toBe('unknown')
  })
})
