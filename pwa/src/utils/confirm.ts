// showConfirmDialog is auto-imported (unplugin-auto-import + VantResolver), which also brings the dialog's CSS.

/** Ask before a destructive or final step (Vant's confirm dialog): true when confirmed, false when cancelled. */
export async function confirmed(options: Parameters<typeof showConfirmDialog>[0]): Promise<boolean> {
  try {
    await showConfirmDialog(options)
    return true
  } catch {
    return false
  }
}
