// What each workspace had open, kept while the person switches to another workspace and
// back (the workspaces themselves are made anew): the draft being edited, the batch shown.
// Only ids — the draft's values are saved before its editor goes.

export const opened = $state<{ draft: string | null; batch: string | null }>({ draft: null, batch: null });
