import { beforeEach, describe, expect, it } from 'vitest'
import { rememberComplaint, sentComplaints } from '@/api/complaints'

describe('complaints sent from this phone', () => {
  beforeEach(() => localStorage.clear())

  it('keeps ticket numbers and tracking codes only, newest first, once each', () => {
    rememberComplaint({ ticket_no: 'TS20261206-0001', tracking_code: 'AAAA-BBBB' })
    rememberComplaint({ ticket_no: 'TS20261206-0002', tracking_code: 'CCCC-DDDD', phone: '13812345678' } as never)
    rememberComplaint({ ticket_no: 'TS20261206-0001', tracking_code: 'AAAA-BBBB' })
    expect(sentComplaints()).toEqual([
      { ticket_no: 'TS20261206-0001', tracking_code: 'AAAA-BBBB' },
      { ticket_no: 'TS20261206-0002', tracking_code: 'CCCC-DDDD' },
    ])
    expect(localStorage.getItem('sesv.sentComplaints')).not.toContain('13812345678')
  })

  it('reads a damaged list as empty rather than failing', () => {
    localStorage.setItem('sesv.sentComplaints', '{not json')
    expect(sentComplaints()).toEqual([])
    localStorage.setItem('sesv.sentComplaints', JSON.stringify([{ ticket_no: 1 }, null]))
    expect(sentComplaints()).toEqual([])
  })
})
