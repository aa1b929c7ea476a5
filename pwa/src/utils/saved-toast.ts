/** The toast after a record is saved to the outbox: say what happens next, online or not. */
export function savedToastKey(online: boolean): string {
  return online ? 'syncTruth.uploadingNow' : 'sync.savedLocal'
}
