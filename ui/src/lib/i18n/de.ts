// German is the default language and the source of truth for message keys:
// en.ts must have exactly the same keys (the type system and a unit test check it).
export const de = {
  'app.title': 'Eingang',
  'app.skipToContent': 'Zum Inhalt springen',
  'nav.label': 'Arbeitsbereiche',
  'nav.scan': 'Scanstelle',
  'nav.forms': 'Formulare',
  'nav.terminal': 'Terminal',
  'lang.label': 'Sprache',
  'lang.de': 'Deutsch',
  'lang.en': 'English',

  'scan.heading': 'Scanstelle',
  'scan.intro':
    'Hier werden Posteingänge gescannt, in Dokumente getrennt, indexiert, geprüft und als PDF/A an das DMS geliefert.',
  'scan.notYet':
    'Die Scanfunktionen sind in dieser Version noch nicht enthalten. Entwürfe und Formulare funktionieren bereits.',
  'terminal.heading': 'Terminal (Bürgerterminal)',
  'terminal.intro':
    'Im Terminalmodus füllen Bürgerinnen und Bürger einen Antrag aus und scannen Unterlagen; danach vergisst das Gerät alles.',
  'terminal.notYet':
    'Der Terminalmodus wird pro Gerät in der Konfiguration eingeschaltet und ist in dieser Version noch nicht enthalten.',

  'forms.heading': 'Formulare',
  'forms.newHeading': 'Neues Formular ausfüllen',
  'forms.newDraft': 'Neuer Entwurf: {title}',
  'forms.draftsHeading': 'Entwürfe',
  'forms.noDrafts': 'Noch keine Entwürfe. Beginnen Sie ein neues Formular.',
  'forms.untitled': '(noch ohne Angaben)',
  'forms.col.caption': 'Entwurf',
  'forms.col.form': 'Formular',
  'forms.col.updated': 'Zuletzt geändert',
  'forms.col.actions': 'Aktionen',
  'forms.open': 'Öffnen',
  'forms.openNamed': 'Entwurf „{caption}“ öffnen',
  'forms.delete': 'Löschen',
  'forms.deleteNamed': 'Entwurf „{caption}“ löschen',
  'forms.confirmDeleteTitle': 'Entwurf löschen?',
  'forms.confirmDeleteText':
    'Der Entwurf „{caption}“ und alle Eingaben darin werden endgültig gelöscht.',
  'forms.confirmDelete': 'Endgültig löschen',
  'forms.cancel': 'Abbrechen',
  'forms.deleted': 'Entwurf gelöscht.',

  'editor.back': 'Zurück zur Entwurfsliste',
  'editor.required': 'Pflichtfeld',
  'editor.requiredMissing': 'Bitte noch ausfüllen.',
  'editor.emailInvalid': 'Das sieht nicht wie eine E-Mail-Adresse aus (Beispiel: name@stadt.de).',
  'editor.autosaveNote': 'Jede Eingabe wird automatisch gespeichert.',
  'save.idle': 'Keine Änderungen',
  'save.pending': 'Änderungen werden gleich gespeichert …',
  'save.saving': 'Wird gespeichert …',
  'save.saved': 'Gespeichert um {time}',
  'save.error': 'Nicht gespeichert: {reason} Ihre Eingaben bleiben erhalten; es wird bei der nächsten Änderung erneut versucht.',
  'save.retry': 'Jetzt erneut speichern',

  'status.label': 'Status',
  'status.outbox': 'Postausgang: {count}',
  'status.lastSync': 'Letzte Übertragung: {when}',
  'status.never': 'noch nie',
  'status.syncError': 'Letzter Fehler: {error}',
  'status.dataDir': 'Datenordner: {path}',
  'status.version': 'Version {version}',
  'status.unavailable': 'Status nicht verfügbar',

  'startup.heading': 'Eingang kann nicht starten',
  'startup.dataDir': 'Datenordner: {path}',
  'startup.detail': 'Technische Einzelheiten',
  'startup.help':
    'Es wurden keine Daten gelöscht oder verändert. Wenden Sie sich mit dieser Meldung an die IT-Betreuung; `eingang doctor` zeigt dieselbe Prüfung auf der Kommandozeile.',
  'startup.loading': 'Eingang wird gestartet …',

  'error.store.data_dir_not_writable':
    'In den Datenordner kann nicht geschrieben werden. Wählen Sie einen anderen Ordner oder lassen Sie die Berechtigungen korrigieren.',
  'error.store.no_data_dir': 'Es konnte kein Datenordner bestimmt werden.',
  'error.store.schema_too_new':
    'Die Datenbank stammt von einer neueren Eingang-Version. Installieren Sie diese Version; die Datei bleibt unverändert.',
  'error.store.corrupt':
    'Die Datenbank ist beschädigt oder keine Eingang-Datenbank. Sie wurde nicht verändert; stellen Sie eine Sicherung wieder her.',
  'error.store.locked':
    'Die Datenbank wird gerade von einem anderen Programm benutzt. Schließen Sie andere Eingang-Fenster und versuchen Sie es erneut.',
  'error.store.disk_full': 'Der Datenträger ist voll. Schaffen Sie Platz; gespeicherte Daten sind nicht verloren.',
  'error.store.read_only': 'Die Datenbank ist schreibgeschützt.',
  'error.store.not_found': 'Der Eintrag existiert nicht mehr (vielleicht wurde er gelöscht).',
  'error.store.bad_row': 'Ein gespeicherter Eintrag kann nicht gelesen werden.',
  'error.store.sqlite': 'Datenbankfehler.',
  'error.store.io': 'Dateifehler.',
  'error.form.unknown': 'Dieses Formular ist nicht im Katalog.',
  'error.draft.invalid_value': 'Eine Eingabe passt nicht zum Feld.',
  'error.input.bad_id': 'Ungültige Kennung.',
  'error.input.bad_language': 'Diese Sprache wird nicht unterstützt.',
  'error.ipc.failed': 'Die Anwendung hat nicht geantwortet.',
  'error.app.internal': 'Interner Fehler.',
  'error.unknown': 'Unbekannter Fehler ({code}).',
} as const;

export type MessageKey = keyof typeof de;
export type Messages = Record<MessageKey, string>;
