/**
 * The core's messages in English, the reference catalog: its keys and value types are what the
 * Chinese catalog must match. A capability's own messages live in its folder (`messages.ts`), typed
 * the same way.
 */
export const en = {
  apology: 'Sorry, something went wrong. It has been logged; please try again.',
  dbBusy: 'The database is busy (another paperbot process is writing to it), so nothing was changed. Try again in a moment.',
  everyoneManages: (v: { setting: string }) =>
    `Note: no channel managers are configured (${v.setting} is empty), so every member may change the spotlight, close polls and edit the reading history here. An admin can list who may in ${v.setting}.`,
  inputTruncated: (v: { max: number }) => `Only the first ${v.max} characters were read.`,
  tryHints: (v: { hints: string }) => `Try: ${v.hints}`,
  unknownId: (v: { id: string; consequence: string }) => `No paper has the id "${v.id}".${v.consequence ? ` ${v.consequence}` : ''}`,
  'action.share': 'Share',
  'action.show': 'Show',
  'label.authors': 'Authors',
  'label.tasks': 'Tasks',
  'label.regions': 'Body regions',
  'label.techniques': 'Techniques',
  'label.modalities': 'Modalities',
  'label.venue': 'Venue',
  'label.datasets': 'Datasets',
  'label.id': 'id',
  'label.link': 'Link',
  'label.noLink': 'no link in the list',
  'label.related': 'Related',
};
