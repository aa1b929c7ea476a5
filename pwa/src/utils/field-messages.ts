// The API's own field messages are Chinese with English in brackets; the schema library's generic ones are
// English only ("Missing data for required field."). These are put in the user's language here.
type Translate = (key: string, params?: Record<string, unknown>) => string

const GENERIC: [RegExp, string][] = [
  [/^Missing data for required field\.$/, 'common.field.required'],
  [/^Field may not be null\.$/, 'common.field.required'],
  [/^Shorter than minimum length (?<min>\d+)\.$/, 'common.field.tooShort'],
  [/^Longer than maximum length (?<max>\d+)\.$/, 'common.field.tooLong'],
  [/^Length must be between (?<min>\d+) and (?<max>\d+)\.$/, 'common.field.length'],
  [/^Not a valid (integer|number)\.$/, 'common.field.number'],
  [/^Not a valid date\.$/, 'common.field.date'],
  [/^Must be one of: .*\.$/, 'common.field.choice'],
  [/^String does not match expected pattern\.$/, 'common.field.pattern'],
]

/** One field message in the user's language: a generic English one translated, the API's own kept. */
export function localizeFieldMessage(message: string, t: Translate): string {
  for (const [pattern, key] of GENERIC) {
    const found = pattern.exec(message)
    if (found) return t(key, { ...found.groups })
  }
  return message
}

/** Every field of `fieldErrors(err)` (messages joined with "；") localized message by message. */
export function localizeFieldErrors(fields: Record<string, string>, t: Translate): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, text]) => [
      name,
      text
        .split('；')
        .map(m => localizeFieldMessage(m, t))
        .join('；'),
    ]),
  )
}
