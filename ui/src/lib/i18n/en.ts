import type { Messages } from './de';

export const en: Messages = {
  'app.title': 'Eingang',
  'app.skipToContent': 'Skip to content',
  'nav.label': 'Workspaces',
  'nav.scan': 'Scan office',
  'nav.forms': 'Forms',
  'nav.terminal': 'Terminal',
  'lang.label': 'Language',
  'lang.de': 'Deutsch',
  'lang.en': 'English',

  'scan.heading': 'Scan office',
  'scan.intro':
    'Incoming mail is scanned here, split into documents, indexed, checked and delivered to the DMS as PDF/A.',
  'scan.notYet':
    'Scanning is not part of this version yet. Drafts and forms already work.',
  'terminal.heading': 'Terminal (self-service)',
  'terminal.intro':
    'In terminal mode citizens fill in an application and scan their documents; afterwards the machine forgets everything.',
  'terminal.notYet':
    'Terminal mode is switched on per machine in the configuration and is not part of this version yet.',

  'forms.heading': 'Forms',
  'forms.newHeading': 'Fill in a new form',
  'forms.newDraft': 'New draft: {title}',
  'forms.draftsHeading': 'Drafts',
  'forms.noDrafts': 'No drafts yet. Start a new form.',
  'forms.untitled': '(nothing entered yet)',
  'forms.col.caption': 'Draft',
  'forms.col.form': 'Form',
  'forms.col.updated': 'Last changed',
  'forms.col.actions': 'Actions',
  'forms.open': 'Open',
  'forms.openNamed': 'Open draft “{caption}”',
  'forms.delete': 'Delete',
  'forms.deleteNamed': 'Delete draft “{caption}”',
  'forms.confirmDeleteTitle': 'Delete draft?',
  'forms.confirmDeleteText': 'The draft “{caption}” and everything entered in it will be deleted for good.',
  'forms.confirmDelete': 'Delete for good',
  'forms.cancel': 'Cancel',
  'forms.deleted': 'Draft deleted.',

  'editor.back': 'Back to the draft list',
  'editor.required': 'required',
  'editor.requiredMissing': 'Please fill this in.',
  'editor.emailInvalid': 'This does not look like an e-mail address (example: name@city.de).',
  'editor.autosaveNote': 'Everything you type is saved automatically.',
  'save.idle': 'No changes',
  'save.pending': 'Changes will be saved in a moment …',
  'save.saving': 'Saving …',
  'save.saved': 'Saved at {time}',
  'save.error': 'Not saved: {reason} Your input is kept; saving is retried with your next change.',
  'save.retry': 'Save again now',

  'status.label': 'Status',
  'status.outbox': 'Outbox: {count}',
  'status.lastSync': 'Last delivery: {when}',
  'status.never': 'never',
  'status.syncError': 'Last error: {error}',
  'status.dataDir': 'Data folder: {path}',
  'status.version': 'Version {version}',
  'status.unavailable': 'Status unavailable',

  'startup.heading': 'Eingang cannot start',
  'startup.dataDir': 'Data folder: {path}',
  'startup.detail': 'Technical details',
  'startup.help':
    'No data was deleted or changed. Please contact IT support with this message; `eingang doctor` runs the same check on the command line.',
  'startup.loading': 'Eingang is starting …',

  'error.store.data_dir_not_writable':
    'The data folder cannot be written. Choose another folder or have its permissions fixed.',
  'error.store.no_data_dir': 'No data folder could be determined.',
  'error.store.schema_too_new':
    'The database was written by a newer version of Eingang. Install that version; the file is left unchanged.',
  'error.store.corrupt':
    'The database is damaged or not an Eingang database. It was not changed; restore a backup.',
  'error.store.locked':
    'The database is in use by another program. Close other Eingang windows and try again.',
  'error.store.disk_full': 'The disk is full. Free some space; saved data is not lost.',
  'error.store.read_only': 'The database is read-only.',
  'error.store.not_found': 'The entry no longer exists (it may have been deleted).',
  'error.store.bad_row': 'A stored entry cannot be read.',
  'error.store.sqlite': 'Database error.',
  'error.store.io': 'File error.',
  'error.form.unknown': 'This form is not in the catalogue.',
  'error.draft.invalid_value': 'An entry does not fit its field.',
  'error.input.bad_id': 'Invalid identifier.',
  'error.input.bad_language': 'This language is not supported.',
  'error.ipc.failed': 'The application did not answer.',
  'error.app.internal': 'Internal error.',
  'error.unknown': 'Unknown error ({code}).',
};
